/**
 * The datasets a user brings (scripts/fixtures/user_data.py): written live by Python's numpy
 * and pickle where /usr/bin/python3 has numpy, else the committed copy. Bytes are compared
 * exactly either way: nothing here is computed in floating point on another CPU.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PYTHON = "/usr/bin/python3";
const SCRIPT = new URL("../../scripts/fixtures/user_data.py", import.meta.url).pathname;
const COMMITTED = new URL("./fixtures/user-data/", import.meta.url).pathname;

export interface UserData {
  dir: string;
  live: boolean;
  arrays: { train_nchw: number[]; test_nchw: number[]; train_y: number[]; test_y: number[] };
}

let cached: UserData | null = null;

export function userData(): UserData {
  if (cached !== null) return cached;
  let dir = COMMITTED;
  let live = false;
  const forced = process.env.NNR_TEST_REFERENCE === "committed";
  if (!forced && existsSync(PYTHON) && spawnSync(PYTHON, ["-c", "import numpy"]).status === 0) {
    const out = mkdtempSync(join(tmpdir(), "nnr-user-data-"));
    const run = spawnSync(PYTHON, [SCRIPT, out], { encoding: "utf8" });
    if (run.status !== 0) throw new Error(`user_data.py failed: ${run.stderr}`);
    process.on("exit", () => rmSync(out, { recursive: true, force: true }));
    dir = out;
    live = true;
  }
  const arrays = JSON.parse(readFileSync(join(dir, "arrays.json"), "utf8"));
  cached = { dir, live, arrays };
  return cached;
}

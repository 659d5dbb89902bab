/**
 * scripts/gpu-check/identical-weights.mjs: the GPU check's count of distinct final weights per
 * group, read from run.json as the runner writes it. Folders are written here, by hand.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const script = fileURLToPath(
  new URL("../../scripts/gpu-check/identical-weights.mjs", import.meta.url),
);
const root = mkdtempSync(join(tmpdir(), "nnr-identical-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function run(dir: string) {
  return spawnSync(process.execPath, [script, dir], { encoding: "utf8" });
}

function writeRun(dir: string, id: string, record: object) {
  mkdirSync(join(dir, "runs", id), { recursive: true });
  writeFileSync(join(dir, "runs", id, "run.json"), JSON.stringify(record));
}

describe("identical-weights", () => {
  it("counts a pool's variants as one group, by run.json's group", () => {
    const dir = join(root, "pooled");
    const member = (variant: string, weightsSha256: string) =>
      writeRun(dir, `smallcnn_fashion-mnist_impl_${variant}_r0`, {
        status: "complete",
        group: "smallcnn_fashion-mnist_tooling",
        weightsSha256,
      });
    member("memoryFormat-contiguous", "aa");
    member("memoryFormat-channelslast", "bb");
    member("threads-2", "aa");
    const result = run(dir);
    expect(result.stdout.trim()).toBe(
      "smallcnn_fashion-mnist_tooling: 3 runs, final weights 2 distinct",
    );
  });

  it("counts distinct final weights per group, leaving incomplete runs out", () => {
    const dir = join(root, "experiment");
    writeRun(dir, "smallcnn_fashion-mnist_control_r0", { status: "complete", weightsSha256: "aa" });
    writeRun(dir, "smallcnn_fashion-mnist_control_r1", { status: "complete", weightsSha256: "aa" });
    writeRun(dir, "smallcnn_fashion-mnist_impl_r0", { status: "complete", weightsSha256: "aa" });
    writeRun(dir, "smallcnn_fashion-mnist_impl_r1", { status: "complete", weightsSha256: "bb" });
    writeRun(dir, "smallcnn_fashion-mnist_impl_r2", { status: "running" });
    const result = run(dir);
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split("\n")).toEqual([
      "smallcnn_fashion-mnist_control: 2 runs, final weights all bit-identical",
      "smallcnn_fashion-mnist_impl: 2 runs, final weights 2 distinct",
    ]);
  });

  it("says in one line what is wrong with a folder without runs", () => {
    const missing = run(join(root, "nowhere"));
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim()).toMatch(
      /^identical-weights: .*nowhere: no runs\/ folder; pass an experiment folder$/,
    );
    const empty = join(root, "empty");
    mkdirSync(join(empty, "runs"), { recursive: true });
    const none = run(empty);
    expect(none.status).toBe(1);
    expect(none.stderr.trim()).toBe(`identical-weights: ${empty}: no complete run`);
  });
});

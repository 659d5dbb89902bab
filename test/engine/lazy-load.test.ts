/**
 * The engine loads at its first use: commands that only read run folders work where the addon
 * is not built, and a command that trains says in one line that it is not built and how to
 * build it. Each case runs the CLI in its own process with NNR_NATIVE_ADDON pointing at a file
 * that does not exist, so the addon of this checkout is never loaded there.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensurePlanFile } from "../../src/experiment/plan.js";
import { planFromSource } from "../../src/experiment/plan-source.js";
import { tempDir, writeNnrRun } from "../analysis/fixtures.js";

const entry = new URL("../train/cli-entry.ts", import.meta.url).pathname;

function nnrWithoutEngine(args: string[]) {
  const result = spawnSync(process.execPath, ["--import", "tsx", entry, ...args], {
    encoding: "utf8",
    env: { ...process.env, NNR_NATIVE_ADDON: "/nonexistent/nnr_native.node" },
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("without the native engine", () => {
  let root: string;
  beforeAll(() => {
    root = tempDir("no-engine");
    const labels = [0, 1, 2, 1];
    const runs = [
      [0, 1, 2, 1],
      [0, 1, 1, 1],
      [0, 2, 1, 1],
    ];
    for (const [replicate, predictions] of runs.entries()) {
      writeNnrRun(root, { setting: "algo", replicate, labels, predictions: { 2: predictions } });
    }
  });

  it("nnr --help works", () => {
    const result = nnrWithoutEngine(["--help"]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/analyze/);
  });

  it("nnr analyze and nnr report read run folders", () => {
    const analyzed = nnrWithoutEngine(["analyze", root]);
    expect(analyzed.stderr).not.toMatch(/not built|Error/);
    expect(analyzed.status).toBe(0);
    expect(existsSync(join(root, "results.json"))).toBe(true);
    const out = join(root, "report");
    const reported = nnrWithoutEngine(["report", root, "--out", out]);
    expect(reported.stderr).not.toMatch(/not built|Error/);
    expect(reported.status).toBe(0);
    expect(existsSync(join(out, "report.html"))).toBe(true);
  });

  it("nnr experiment status reads an experiment folder", () => {
    const experiment = tempDir("no-engine-plan");
    const plan = planFromSource({ kind: "preset", name: "demo" });
    ensurePlanFile(experiment, plan);
    const result = nnrWithoutEngine(["experiment", "status", experiment]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`pending ${plan.runs.length}`);
  });

  it("a command that trains says in one line that the engine is not built", () => {
    const result = nnrWithoutEngine(["train", "--model", "smallcnn", "--out", join(root, "t")]);
    expect(result.status).not.toBe(0);
    const lines = result.stderr.trim().split("\n");
    expect(lines[0]).toMatch(/native engine is not built .*npm run setup/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

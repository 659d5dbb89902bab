/**
 * examples/your-model.plan.json: the four settings, and a tooling pool (threads, layout, one
 * at a time), on an imported model (examples/smallcnn-pytorch.onnx, a PyTorch export). The
 * plan loads and expands like any plan; its Control runs, cut to a few batches, train the
 * file and end bit-identical, and an ALGO run does not.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { planFromSource } from "../../src/experiment/plan-source.js";
import { type RunConfig, trainRun } from "../../src/train/index.js";
import { tempDir } from "../train/helpers.js";

const ROOT = resolve(import.meta.dirname, "../..");
const PLAN = join(ROOT, "examples/your-model.plan.json");
const MODEL = "examples/smallcnn-pytorch.onnx";

describe("the example plan on an imported model", () => {
  // The plan names the model relative to the repository, where a user runs it from.
  const cwd = process.cwd();
  process.chdir(ROOT);
  const plan = (() => {
    try {
      return planFromSource({ kind: "file", path: PLAN });
    } finally {
      process.chdir(cwd);
    }
  })();

  it("expands to the four settings × 3 replicates and a tooling pool of 6, all on the file", () => {
    const sha = createHash("sha256")
      .update(readFileSync(join(ROOT, MODEL)))
      .digest("hex");
    expect(plan.runs).toHaveLength(4 * 3 + 2 * 3);
    expect(new Set(plan.runs.map((r) => r.config.model))).toEqual(new Set([MODEL]));
    expect(new Set(plan.runs.map((r) => r.config.modelSha256))).toEqual(new Set([sha]));
    expect(new Set(plan.runs.map((r) => r.config.setting))).toEqual(
      new Set(["algo+impl", "algo", "impl", "control"]),
    );
    expect(plan.runs.filter((r) => r.pool !== undefined)).toHaveLength(6);
  });

  it("trains its runs, cut short: Control runs end bit-identical, ALGO runs differ", async () => {
    const dir = tempDir("example-plan");
    const tiny = (setting: string): RunConfig => {
      const entry = plan.runs.find((r) => r.config.setting === setting && r.pool === undefined)!;
      const config = {
        ...entry.config,
        model: join(ROOT, MODEL),
        trainExamples: 256,
        testExamples: 64,
        epochs: 1,
      };
      return config;
    };
    const run = (setting: string, name: string, replicate: number) =>
      trainRun({ config: tiny(setting), outDir: join(dir, name), replicate });
    const [a, b, c] = [
      await run("control", "a", 0),
      await run("control", "b", 1),
      await run("algo", "c", 0),
    ];
    expect(a.status).toBe("complete");
    expect(b.weightsSha256).toBe(a.weightsSha256);
    expect(c.weightsSha256).not.toBe(a.weightsSha256);
  }, 120_000);
});

/**
 * Keras-style kernel L2 wired into training: the same control run (fixed seeds, tiny
 * Fashion-MNIST subset, 2 Adam steps) with λ = 1 logs a loss larger by the penalty. Glorot
 * uniform gives E[w²] = 2/(fan_in + fan_out), so SmallCNN's five kernels start at
 * Σ‖W‖² ≈ 144·2/153 + 4608·2/432 + 9216·2/576 + 1024·2/64 + 320·2/42 ≈ 102; two small steps
 * barely move it. The exact penalty and gradient are checked in
 * test/original/original-recipes.test.ts.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { resolveRunConfig, trainRun } from "../../src/train/index.js";
import { tempDir } from "./helpers.js";

const TINY = {
  model: "smallcnn",
  setting: "control",
  trainExamples: 128,
  testExamples: 64,
  batchSize: 64,
  epochs: 1,
} as const;

const loggedLoss = (dir: string) => {
  const [header, row] = readFileSync(join(dir, "log.csv"), "utf8").trim().split("\n");
  return Number(row!.split(",")[header!.split(",").indexOf("loss")]);
};

describe("kernel L2 in a run", () => {
  it("adds λ‖W‖² to the logged loss and changes the trained weights", async () => {
    const root = tempDir("kernel-l2");
    const plain = await trainRun({
      config: resolveRunConfig(TINY),
      outDir: join(root, "plain"),
      replicate: 0,
    });
    const config = resolveRunConfig({ ...TINY, kernelL2: 1 });
    expect(config.kernelL2).toBe(1);
    const penalised = await trainRun({ config, outDir: join(root, "l2"), replicate: 0 });
    expect(penalised.record.seeds).toEqual(plain.record.seeds);
    const added = loggedLoss(join(root, "l2")) - loggedLoss(join(root, "plain"));
    // ±15 %: the draw of ~15,000 weights, and the two steps' change to the data loss.
    expect(added).toBeGreaterThan(102 * 0.85);
    expect(added).toBeLessThan(102 * 1.15);
    expect(penalised.weightsSha256).not.toBe(plain.weightsSha256);
  }, 60_000);
});

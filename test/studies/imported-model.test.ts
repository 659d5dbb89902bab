/**
 * The divergence trace and the overhead study on an imported ONNX model: two runs of a tiny
 * CNN graph whose input seeds differ part at the first step, in one of the file's own
 * initializers; `nnr overhead --models FILE.onnx` times it with both kinds of kernels.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCsvRecords } from "../../src/io/csv.js";
import { parseStudyModel } from "../../src/studies/overhead/index.js";
import { runCli, tempDir } from "../train/helpers.js";
import { TINY_CNN_INITIALIZERS, tinyCnnFile } from "./tiny-onnx.js";

const BN_CNN = resolve(import.meta.dirname, "../onnx/fixtures/bn_cnn.onnx");

describe("nnr diverge on two runs of an imported model", () => {
  const root = tempDir("diverge-onnx");
  const file = tinyCnnFile(root);
  const train = (name: string, inputSeed: string) =>
    runCli([
      "train",
      "--model",
      file,
      "--setting",
      "control",
      "--seed-input",
      inputSeed,
      "--optimizer",
      "sgd",
      "--lr",
      "0.05",
      "--batch-size",
      "32",
      "--epochs",
      "1",
      "--train-examples",
      "128",
      "--test-examples",
      "32",
      "--trace",
      "--out",
      join(root, name),
    ]);

  it("names the first step and the file's own initializer where runs with other input seeds part", async () => {
    for (const [name, seed] of [
      ["a", "1"],
      ["b", "2"],
    ] as const) {
      const run = await train(name, seed);
      expect(run.code, run.stderr).toBe(0);
    }
    const result = await runCli(["diverge", join(root, "a"), join(root, "b"), "--out", root]);
    expect(result.code, result.stderr).toBe(0);
    const saved = JSON.parse(readFileSync(join(root, "divergence.json"), "utf8"));
    const firstStep = JSON.parse(
      readFileSync(join(root, "a", "trace.jsonl"), "utf8").split("\n")[0]!,
    ).step;
    // Other batches from the first step on: every gradient differs, the first in the file's order.
    expect(saved.first.step).toBe(firstStep);
    expect(saved.first.kind).toBe("gradient");
    expect(saved.first.layer).toBe("conv1.weight");
    expect(saved.first.layers.sort()).toEqual([...TINY_CNN_INITIALIZERS].sort());
    expect(result.stdout).toContain(
      `first divergence at step ${firstStep} (epoch 1, batch 1): the gradient of conv1.weight`,
    );
  }, 120_000);

  it("finds no divergence between two runs with the same seeds", async () => {
    const run = await train("a2", "1");
    expect(run.code, run.stderr).toBe(0);
    const result = await runCli([
      "diverge",
      join(root, "a"),
      join(root, "a2"),
      "--out",
      join(root, "same"),
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(
      "no divergence: all 4 steps have identical gradients and parameters",
    );
  }, 120_000);
});

describe("nnr overhead --models FILE.onnx", () => {
  it("keeps the file's path as its label", () => {
    expect(parseStudyModel("Models/My-Net.onnx")).toEqual({
      label: "Models/My-Net.onnx",
      name: "My-Net.onnx",
      file: "Models/My-Net.onnx",
    });
  });

  it("refuses a missing or broken file in one line before timing anything", async () => {
    const dir = tempDir("overhead-onnx-bad");
    const bad = join(dir, "bad.onnx");
    writeFileSync(bad, "not a model\n");
    for (const [file, message] of [
      [join(dir, "absent.onnx"), "no such model file"],
      [bad, "not an ONNX model"],
    ] as const) {
      const result = await runCli([
        "overhead",
        "--models",
        `mediumcnn-k1,${file}`,
        "--out",
        join(dir, "out"),
      ]);
      expect(result.code).toBe(2);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toContain(`${file}: ${message}`);
      expect(result.stdout).toBe("");
    }
  });

  it("times training steps of the graph with default and deterministic kernels", async () => {
    const out = tempDir("overhead-onnx");
    const result = await runCli([
      "overhead",
      "--models",
      `${BN_CNN},mediumcnn-k1`,
      "--batch-size",
      "4",
      "--image-size",
      "64",
      "--iterations",
      "2",
      "--repeats",
      "2",
      "--warmup",
      "1",
      "--out",
      out,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const { records } = parseCsvRecords(readFileSync(join(out, "overhead.csv"), "utf8"));
    expect(records.map((r) => r.model)).toEqual([BN_CNN, "mediumcnn-k1"]);
    for (const record of records) {
      expect(Number(record.default_ms)).toBeGreaterThan(0);
      // The CSV rounds the times to 3 decimals and the overhead to 4: the overhead lies within
      // the ratios the rounded times allow.
      const [d, D] = [Number(record.deterministic_ms), Number(record.default_ms)];
      const overhead = Number(record.overhead);
      expect(overhead).toBeGreaterThanOrEqual((d - 5e-4) / (D + 5e-4) - 5e-5);
      expect(overhead).toBeLessThanOrEqual((d + 5e-4) / (D - 5e-4) + 5e-5);
    }
  }, 120_000);
});

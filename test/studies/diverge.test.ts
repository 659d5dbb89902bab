/**
 * The divergence trace: two runs that differ only in the thread count part at a named step and
 * layer (on this CPU, the 1×1 downsampling convolution of ResNet18, whose kernels split work
 * differently at 2 threads); two Control runs never part.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { firstDivergence } from "../../src/studies/diverge/index.js";
import type { TraceStep } from "../../src/train/trace.js";
import { runCli, tempDir } from "../train/helpers.js";

const RESNET = [
  "--model",
  "resnet18",
  "--setting",
  "control",
  "--epochs",
  "1",
  "--train-examples",
  "32",
  "--test-examples",
  "16",
  "--batch-size",
  "16",
  "--trace",
];

describe("nnr diverge", () => {
  const root = tempDir("diverge");

  it("names the step and layer where 1-thread and 2-thread runs part", async () => {
    for (const threads of ["1", "2"]) {
      const run = await runCli([
        "train",
        "--out",
        join(root, `t${threads}`),
        ...RESNET,
        "--threads",
        threads,
      ]);
      expect(run.code, run.stderr).toBe(0);
    }
    const result = await runCli(["diverge", join(root, "t1"), join(root, "t2"), "--out", root]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /first divergence at step \d+ \(epoch 1, batch \d+\): the (gradient|parameter) of [\w.]+/,
    );
    const saved = JSON.parse(readFileSync(join(root, "divergence.json"), "utf8"));
    expect(saved.first.layer).toMatch(/\.weight$|\.bias$/);
    expect(saved.distances[0].total).toBeGreaterThan(0);
    expect(existsSync(join(root, "divergence.svg"))).toBe(true);
  });

  it("reports no divergence for two Control runs", async () => {
    const args = [
      "--setting",
      "control",
      "--epochs",
      "1",
      "--train-examples",
      "256",
      "--test-examples",
      "64",
      "--batch-size",
      "64",
      "--trace",
    ];
    for (const name of ["c1", "c2"]) {
      expect((await runCli(["train", "--out", join(root, name), ...args])).code).toBe(0);
    }
    // --out may name a folder that does not exist yet.
    const fresh = join(root, "fresh", "nested");
    const result = await runCli(["diverge", join(root, "c1"), join(root, "c2"), "--out", fresh]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /no divergence: all 4 steps have identical gradients and parameters/,
    );
    expect(JSON.parse(readFileSync(join(fresh, "divergence.json"), "utf8")).first).toBeNull();
  });

  it("a run without a trace gets a one-line error", async () => {
    const plain = join(root, "plain");
    expect(
      (
        await runCli([
          "train",
          "--out",
          plain,
          "--setting",
          "control",
          "--epochs",
          "1",
          "--train-examples",
          "64",
          "--test-examples",
          "16",
        ])
      ).code,
    ).toBe(0);
    const result = await runCli(["diverge", plain, plain]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/no trace.jsonl; train the run with --trace/);
  });

  it("an --out that cannot be a folder gets a one-line error", async () => {
    const file = join(root, "a-file");
    writeFileSync(file, "");
    const result = await runCli(["diverge", join(root, "c1"), join(root, "c2"), "--out", file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--out .*a-file: cannot create the folder \(EEXIST\)/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("firstDivergence", () => {
  const step = (
    n: number,
    grads: Record<string, string>,
    params: Record<string, string>,
  ): TraceStep => ({ step: n, epoch: 0, batch: n - 1, grads, params });

  it("reports gradients before parameters, first layer in parameter order", () => {
    const a = [
      step(1, { w1: "a", w2: "b" }, { w1: "c", w2: "d" }),
      step(2, { w1: "e", w2: "f" }, { w1: "g", w2: "h" }),
    ];
    const b = [
      step(1, { w1: "a", w2: "b" }, { w1: "c", w2: "d" }),
      step(2, { w1: "e", w2: "X" }, { w1: "Y", w2: "h" }),
    ];
    expect(firstDivergence(a, b)).toEqual({
      step: 2,
      epoch: 0,
      batch: 1,
      kind: "gradient",
      layer: "w2",
      layers: ["w2", "w1"],
    });
    expect(firstDivergence(a, a)).toBeNull();
  });
});

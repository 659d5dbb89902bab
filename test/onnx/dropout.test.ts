/**
 * Dropout in an imported graph: masks from the named dropout generator only (the same seed
 * gives the same mask, another seed another), inverted scaling by 1/(1 − ratio) as PyTorch,
 * and no dropout in eval mode or where the exporter marked the node as not training.
 */
import { describe, expect, it } from "vitest";
import { Generator, liveTensors, ones, tidy } from "../../src/engine/index.js";
import { OnnxModule, parseOnnxModel } from "../../src/onnx/index.js";
import { modelBytes } from "./build-model.js";

function dropoutModel(training: boolean, ratio = 0.5): Uint8Array {
  return modelBytes({
    nodes: [
      { op: "Dropout", inputs: ["x", "ratio", "training_mode"], outputs: ["y"], name: "drop" },
    ],
    initializers: [
      { name: "ratio", dims: [], floats: [ratio] },
      { name: "training_mode", dims: [], dataType: 9, int32s: [training ? 1 : 0] },
    ],
    inputs: [{ name: "x", dims: [4, 64] }],
    outputs: ["y"],
  });
}

function outputOf(bytes: Uint8Array, seed: number, train = true): number[] {
  const module = new OnnxModule(parseOnnxModel(bytes, "dropout.onnx"), {
    dropoutGenerator: new Generator(seed, "dropout"),
  });
  module.train(train);
  const y = tidy(() => module.forward(ones([4, 64])).toArray());
  module.dispose();
  return y;
}

describe("Dropout in an imported graph", () => {
  it("draws its masks from the named generator and scales kept elements by 1/(1 − ratio)", () => {
    const before = liveTensors();
    const bytes = dropoutModel(true);
    const [a, again, other] = [outputOf(bytes, 1), outputOf(bytes, 1), outputOf(bytes, 2)];
    expect(again).toEqual(a);
    expect(other).not.toEqual(a);
    expect(new Set(a)).toEqual(new Set([0, 2]));
    const kept = a.filter((v) => v === 2).length / a.length;
    // 256 Bernoulli(0.5) draws: 0.5 ± 0.15 is over 4.8 standard deviations (0.031) wide.
    expect(Math.abs(kept - 0.5)).toBeLessThan(0.15);
    expect(liveTensors()).toBe(before);
  });

  it("passes its input through in eval mode, and where exported as not training", () => {
    expect(new Set(outputOf(dropoutModel(true), 1, false))).toEqual(new Set([1]));
    expect(new Set(outputOf(dropoutModel(false), 1, true))).toEqual(new Set([1]));
    expect(new Set(outputOf(dropoutModel(true, 0), 1, true))).toEqual(new Set([1]));
  });
});

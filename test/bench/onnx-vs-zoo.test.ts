/**
 * What bench/onnx-vs-zoo.ts times must hold: nnr's SmallCNN exported from PyTorch
 * (examples/smallcnn-pytorch.onnx) and nnr's own SmallCNN, from the same weights and on the
 * same batches, hold the same bits after a few Adam steps, in both layouts: the import
 * computes what the zoo model computes, op for op. Both run on this CPU in this process, so
 * the comparison is bit for bit.
 */
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { fashionBatch } from "../../bench/smallcnn-fashion.js";
import { Generator, tidy } from "../../src/engine/index.js";
import {
  Adam,
  categoricalCrossEntropy,
  type Model,
  type ModelMemoryFormat,
} from "../../src/nn/index.js";
import { createModel } from "../../src/nn/models/index.js";
import { OnnxClassifier, readOnnxModel } from "../../src/onnx/index.js";

const MODEL = resolve(import.meta.dirname, "../../examples/smallcnn-pytorch.onnx");

function weightsAfterSteps(network: Model, steps: number): Map<string, string> {
  const optimizer = new Adam(network.parameters(), { lr: 1e-3, eps: 1e-7 });
  const { x, y } = fashionBatch(16);
  for (let i = 0; i < steps; i++) {
    tidy(() => {
      optimizer.zeroGrad();
      categoricalCrossEntropy(network.forward(x), y).backward();
      optimizer.step();
    });
  }
  const bits = new Map(
    [...network.stateDict()].map(([name, t]) => [
      name,
      bitsOf(tidy(() => t.contiguous().dataSync() as Float32Array)),
    ]),
  );
  for (const t of [x, y]) t.dispose();
  optimizer.dispose();
  return bits;
}

describe.each(["channels_last", "contiguous"] as ModelMemoryFormat[])(
  "the imported SmallCNN, %s",
  (format) => {
    it("trains to the zoo's bits from the zoo's weights", () => {
      const zoo = createModel("smallcnn", {
        generator: new Generator(3, "init"),
        memoryFormat: format,
        classes: 10,
        inputShape: [1, 28, 28],
      }).train();
      const imported = new OnnxClassifier(readOnnxModel(MODEL), {
        classes: 10,
        inputShape: [1, 28, 28],
        memoryFormat: format,
        dropoutGenerator: new Generator(0, "dropout"),
      });
      imported.toMemoryFormat(format).train();
      imported.loadStateDict(zoo.stateDict());
      const [a, b] = [weightsAfterSteps(zoo, 3), weightsAfterSteps(imported, 3)];
      expect([...b.keys()]).toEqual([...a.keys()]);
      for (const [name, bits] of a) expect(b.get(name), name).toBe(bits);
      zoo.dispose();
      imported.dispose();
    }, 60_000);
  },
);

function bitsOf(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString("hex");
}

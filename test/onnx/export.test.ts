/**
 * `nnr export`: a finished run's model back out as ONNX. Two runs train for one epoch on 256
 * examples of the embedded Fashion-MNIST — an imported CNN exported in training mode
 * (BatchNormalization with training_mode 1, Dropout with its training_mode input), and SmallCNN
 * with and without BatchNorm — and each export is checked two ways:
 *
 * - onnxruntime-node, a second engine, evaluates the export on 32 test images and matches nnr's
 *   own eval-mode logits of the trained model (its original graph or zoo class with the final
 *   checkpoint loaded). Tolerance rtol 1e-4, atol 1e-5: both compute in float32 with different
 *   kernels (summation orders, fused BatchNorm), which moves logits of size ~1 by ~1e-6;
 *   a wrong weight, a BatchNorm still normalising with batch statistics or a Dropout still
 *   dropping moves them by far more than 1e-4.
 * - nnr's reader re-imports the export and finds every trained tensor bit for bit, and the
 *   BatchNormalization nodes in inference form.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-node";
import { describe, expect, it } from "vitest";
import { loadDataset } from "../../src/data/index.js";
import { Generator, noGrad, type Tensor, tensor, tidy } from "../../src/engine/index.js";
import { readSafetensors } from "../../src/io/safetensors.js";
import { createModel, loadWeights, type Module } from "../../src/nn/index.js";
import { OnnxModule, parseOnnxModel } from "../../src/onnx/index.js";
import { decodeModel, encodeModel } from "../../src/onnx/proto.js";
import { exportRun } from "../../src/train/export-run.js";
import { resolveRunConfig, trainRun } from "../../src/train/index.js";
import { tempDir } from "../train/helpers.js";
import { lcgWeights, linearNode, modelBytes } from "./build-model.js";

const RTOL = 1e-4;
const ATOL = 1e-5;
const BATCH = 32;
const RUN = {
  dataset: "fashion-mnist" as const,
  setting: "control" as const,
  trainExamples: 256,
  testExamples: 64,
  batchSize: 64,
  epochs: 1,
};

/**
 * A CNN as PyTorch's exporter writes one in training mode: Conv → BatchNormalization
 * (training_mode 1, its running statistics as extra outputs) → Relu → MaxPool → Conv → Relu →
 * GlobalAveragePool → Flatten → Dropout (ratio and training_mode inputs) → Gemm, the input's
 * batch fixed at the traced example's 1.
 */
function trainingModeCnn(file: string): string {
  const bytes = modelBytes({
    nodes: [
      {
        op: "Conv",
        inputs: ["input", "conv1.weight", "conv1.bias"],
        outputs: ["c1"],
        name: "/conv1/Conv",
        intLists: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] },
      },
      {
        op: "BatchNormalization",
        inputs: ["c1", "bn1.weight", "bn1.bias", "bn1.running_mean", "bn1.running_var"],
        outputs: ["b1", "bn1.mean_out", "bn1.var_out"],
        name: "/bn1/BatchNormalization",
        ints: { training_mode: 1 },
        floatAttrs: { epsilon: 1e-5, momentum: 0.9 },
      },
      { op: "Relu", inputs: ["b1"], outputs: ["r1"], name: "/relu1/Relu" },
      {
        op: "MaxPool",
        inputs: ["r1"],
        outputs: ["p1"],
        name: "/pool/MaxPool",
        intLists: { kernel_shape: [2, 2], strides: [2, 2] },
      },
      {
        op: "Conv",
        inputs: ["p1", "conv2.weight", "conv2.bias"],
        outputs: ["c2"],
        name: "/conv2/Conv",
        intLists: { kernel_shape: [3, 3], pads: [1, 1, 1, 1] },
      },
      { op: "Relu", inputs: ["c2"], outputs: ["r2"], name: "/relu2/Relu" },
      { op: "GlobalAveragePool", inputs: ["r2"], outputs: ["g"], name: "/gap" },
      { op: "Flatten", inputs: ["g"], outputs: ["f"], name: "/flatten/Flatten" },
      {
        op: "Dropout",
        inputs: ["f", "ratio", "training_mode"],
        outputs: ["d"],
        name: "/drop/Dropout",
      },
      linearNode("fc", "d", "logits", "/fc/Gemm"),
    ],
    initializers: [
      { name: "conv1.weight", dims: [8, 1, 3, 3], floats: lcgWeights(72, 9, 1) },
      { name: "conv1.bias", dims: [8], floats: lcgWeights(8, 9, 2) },
      { name: "bn1.weight", dims: [8], floats: Array(8).fill(1) },
      { name: "bn1.bias", dims: [8], floats: Array(8).fill(0) },
      { name: "bn1.running_mean", dims: [8], floats: Array(8).fill(0) },
      { name: "bn1.running_var", dims: [8], floats: Array(8).fill(1) },
      { name: "conv2.weight", dims: [16, 8, 3, 3], floats: lcgWeights(16 * 72, 72, 3) },
      { name: "conv2.bias", dims: [16], floats: lcgWeights(16, 72, 4) },
      { name: "fc.weight", dims: [10, 16], floats: lcgWeights(160, 16, 5) },
      { name: "fc.bias", dims: [10], floats: lcgWeights(10, 16, 6) },
      { name: "ratio", dims: [], floats: [0.25] },
      { name: "training_mode", dims: [], dataType: 9, int32s: [1] },
    ],
    inputs: [{ name: "input", dims: [1, 1, 28, 28] }],
    outputs: ["logits"],
  });
  // The exporter declares the output's shape too: [1, 10] for the traced batch.
  const proto = decodeModel(bytes);
  proto.graph!.output![0]!.type!.tensorType!.shape = { dim: [{ dimValue: 1 }, { dimValue: 10 }] };
  writeFileSync(file, encodeModel(proto));
  return file;
}

/** The first `count` test images, scaled to [0, 1], as NCHW float32. */
function testImages(count: number): Float32Array {
  const test = loadDataset("fashion-mnist", { split: "test", notify: () => {} });
  if (test.images.kind !== "memory") throw new Error("expected the in-memory test set");
  const pixels = test.images.pixels.subarray(0, count * 28 * 28);
  return Float32Array.from(pixels, (p) => p / 255);
}

/** nnr's eval-mode logits of a module on the images. */
function nnrLogits(module: Module, images: Float32Array): Float32Array {
  module.eval();
  return tidy(() =>
    noGrad(() => {
      const out = module.forward(tensor(images, [BATCH, 1, 28, 28])) as Tensor;
      return out.contiguous().dataSync() as Float32Array;
    }),
  );
}

async function ortLogits(file: string, images: Float32Array): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(readFileSync(file));
  const feeds = { [session.inputNames[0]!]: new ort.Tensor("float32", images, [BATCH, 1, 28, 28]) };
  const result = await session.run(feeds);
  const out = result[session.outputNames[0]!]!;
  expect(out.dims).toEqual([BATCH, 10]);
  return out.data as Float32Array;
}

function expectClose(actual: Float32Array, expected: Float32Array): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const excess = Math.abs(actual[i]! - expected[i]!) - (ATOL + RTOL * Math.abs(expected[i]!));
    worst = Math.max(worst, excess);
  }
  expect(worst, "largest |ort − nnr| beyond atol + rtol·|nnr|").toBeLessThanOrEqual(0);
}

/** The export's initializers, re-read by nnr's reader, hold the checkpoint's bits. */
function expectTrainedBits(exported: string, checkpoint: string): void {
  const model = parseOnnxModel(readFileSync(exported), exported);
  const byName = new Map(model.graph.initializers.map((t) => [t.name, t]));
  let compared = 0;
  for (const [name, entry] of readSafetensors(checkpoint).tensors) {
    if (entry.dtype !== "F32") continue;
    const t = byName.get(name);
    expect(t, name).toBeDefined();
    expect(t!.dims).toEqual(entry.shape);
    const a = Buffer.from(t!.data.buffer, t!.data.byteOffset, t!.data.byteLength);
    const b = Buffer.from(entry.data.buffer, entry.data.byteOffset, entry.data.byteLength);
    expect(a.equals(b), `${name} bit for bit`).toBe(true);
    compared++;
  }
  expect(compared).toBeGreaterThan(4);
  for (const node of model.graph.nodes.filter((n) => n.opType === "BatchNormalization")) {
    expect(node.attributes.get("training_mode")).toEqual({ kind: "int", value: 0 });
    expect(node.outputs).toHaveLength(1);
  }
}

describe("nnr export --onnx", () => {
  const dir = tempDir("export");
  const images = testImages(BATCH);

  it("an imported model: the original graph with the trained weights, in inference form", async () => {
    const file = trainingModeCnn(join(dir, "cnn.onnx"));
    const config = resolveRunConfig({ model: file, optimizer: { name: "sgd", lr: 0.05 }, ...RUN });
    const runDir = join(dir, "cnn-run");
    const run = await trainRun({ config, outDir: runDir, replicate: 0 });
    expect(run.status).toBe("complete");
    const out = join(dir, "cnn-trained.onnx");
    const result = exportRun(runDir, out);
    const trained = new OnnxModule(parseOnnxModel(readFileSync(file), file), {
      dropoutGenerator: new Generator(0, "dropout"),
    });
    loadWeights(result.checkpoint, trained);
    const expected = nnrLogits(trained, images);
    trained.dispose();
    expectClose(await ortLogits(out, images), expected);
    expectTrainedBits(out, result.checkpoint);
    const reimported = new OnnxModule(parseOnnxModel(readFileSync(out), out), {
      dropoutGenerator: new Generator(0, "dropout"),
    });
    expect(nnrLogits(reimported, images)).toEqual(expected);
    reimported.dispose();
  }, 120_000);

  it.each([true, false])(
    "smallcnn (batchNorm %s): SmallCNN's graph with the trained weights",
    async (batchNorm) => {
      const config = resolveRunConfig({ model: "smallcnn", batchNorm, ...RUN });
      const runDir = join(dir, `smallcnn-${batchNorm}`);
      await trainRun({ config, outDir: runDir, replicate: 0 });
      const out = join(dir, `smallcnn-${batchNorm}.onnx`);
      const result = exportRun(join(runDir, "run.json"), out);
      const model = createModel("smallcnn", {
        generator: new Generator(0, "init"),
        batchNorm,
        inputShape: [1, 28, 28],
        classes: 10,
      });
      loadWeights(result.checkpoint, model);
      const expected = nnrLogits(model, images);
      model.dispose();
      expectClose(await ortLogits(out, images), expected);
      expectTrainedBits(out, result.checkpoint);
    },
    120_000,
  );
});

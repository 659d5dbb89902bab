/**
 * N×D vector data end to end: float32 features in .npy train an ONNX MLP whose input is
 * [N, D]. The data follow a linear rule (class 1 where x·w > 0), so a 2-layer MLP learns them
 * well above chance (50 %) in two epochs; Control twice gives the same weights bit for bit;
 * a graph for another D, a zoo CNN and image transforms are refused in one line.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DataLoader } from "../../src/data/loader.js";
import { loadDataset } from "../../src/data/registry.js";
import { serializeNpy } from "../../src/io/npy.js";
import { RandomStream } from "../../src/random/stream.js";
import { readRunRecord } from "../../src/train/index.js";
import { modelBytes } from "../onnx/build-model.js";
import { runCli, tempDir } from "../train/helpers.js";

const D = 8;
const HIDDEN = 16;
const RULE = [1, -2, 0.5, 1.5, -1, 0.25, 2, -0.75];

/** N uniform vectors in [-1, 1)^D and their class under RULE. */
function vectors(n: number, rng: RandomStream): { x: Float32Array; y: Int32Array } {
  const x = new Float32Array(n * D);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let dot = 0;
    for (let j = 0; j < D; j++) {
      const value = rng.nextFloat() * 2 - 1;
      x[i * D + j] = value;
      dot += value * RULE[j]!;
    }
    y[i] = dot > 0 ? 1 : 0;
  }
  return { x, y };
}

function writeVectors(dir: string): string {
  const data = join(dir, "vectors");
  mkdirSync(data);
  const rng = RandomStream.named(0, "vector-data");
  for (const [split, n] of [
    ["train", 512],
    ["test", 256],
  ] as const) {
    const { x, y } = vectors(n, rng);
    writeFileSync(join(data, `${split}_x.npy`), serializeNpy(x, [n, D]));
    writeFileSync(join(data, `${split}_y.npy`), serializeNpy(y, [n]));
  }
  return data;
}

/** PyTorch's Linear init bound, 1/√fan_in, uniform, from a named stream. */
function uniform(count: number, fanIn: number, rng: RandomStream): number[] {
  return Array.from({ length: count }, () => (rng.nextFloat() * 2 - 1) / Math.sqrt(fanIn));
}

/** Gemm → Relu → Gemm over input [N, inputs]: torch.nn.Sequential(Linear, ReLU, Linear). */
function mlpFile(dir: string, inputs: number): string {
  const rng = RandomStream.named(1, "mlp-init");
  const file = join(dir, `mlp-${inputs}.onnx`);
  const gemm = (name: string, input: string, output: string) => ({
    op: "Gemm",
    inputs: [input, `${name}.weight`, `${name}.bias`],
    outputs: [output],
    name,
    ints: { transB: 1 },
  });
  const bytes = modelBytes({
    nodes: [
      gemm("0", "input", "h"),
      { op: "Relu", inputs: ["h"], outputs: ["a"], name: "1" },
      gemm("2", "a", "logits"),
    ],
    initializers: [
      { name: "0.weight", dims: [HIDDEN, inputs], floats: uniform(HIDDEN * inputs, inputs, rng) },
      { name: "0.bias", dims: [HIDDEN], floats: uniform(HIDDEN, inputs, rng) },
      { name: "2.weight", dims: [2, HIDDEN], floats: uniform(2 * HIDDEN, HIDDEN, rng) },
      { name: "2.bias", dims: [2], floats: uniform(2, HIDDEN, rng) },
    ],
    inputs: [{ name: "input", dims: [1, inputs] }],
    outputs: ["logits"],
  });
  writeFileSync(file, bytes);
  return file;
}

const RUN = ["--setting", "control", "--optimizer", "sgd", "--lr", "0.1"];
const SIZE = ["--batch-size", "16", "--epochs", "2"];

function lastAccuracy(runDir: string): number {
  const [header, ...rows] = readFileSync(join(runDir, "log.csv"), "utf8").trim().split("\n");
  const column = header!.split(",").indexOf("val_accuracy");
  return Number(rows.at(-1)!.split(",")[column]);
}

describe("N×D vectors", () => {
  const root = tempDir("vectors");
  const data = writeVectors(root);
  const args = (model: string, out: string) => [
    "train",
    "--out",
    join(root, out),
    "--model",
    model,
    "--dataset",
    "npy",
    "--data-dir",
    data,
    ...RUN,
    ...SIZE,
  ];

  it("train an MLP with input [N, D] above chance; Control twice gives the same bits", async () => {
    const mlp = mlpFile(root, D);
    const hashes: string[] = [];
    for (const out of ["a", "b"]) {
      const result = await runCli(args(mlp, out));
      expect(result.code, result.stderr).toBe(0);
      const record = readRunRecord(join(root, out))!;
      expect(record.status).toBe("complete");
      hashes.push(record.weightsSha256!);
    }
    expect(hashes[1]).toBe(hashes[0]);
    // Chance is 50 %; the rule is linear, so the MLP gets most of the test set right.
    expect(lastAccuracy(join(root, "a"))).toBeGreaterThan(0.8);
    const record = readRunRecord(join(root, "a"))!;
    expect(record.data.train.dataset.examples).toBe("vectors");
    expect(record.data.test.examples).toBe("vectors");
    expect(record.data.train.dataset.shape).toEqual({ channels: 1, height: 1, width: D });
    expect(record.data.train.transforms).toEqual([{ op: "scale" }]);
  }, 120_000);

  it("refuse a graph for another D in one line, writing nothing", async () => {
    const out = join(root, "wrong-d");
    const result = await runCli(args(mlpFile(root, D + 2), "wrong-d"));
    expect(result.code).not.toBe(0);
    expect(result.stderr.split("\n")).toHaveLength(1);
    expect(result.stderr).toContain(
      `mlp-10.onnx: the graph's input is [N, 10], but the dataset's examples are vectors of 8 features; export it for input [N, 8]`,
    );
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it("refuse a zoo CNN in one line, writing nothing", async () => {
    const out = join(root, "zoo");
    const result = await runCli(["train", "--out", out, "--dataset", "npy", "--data-dir", data]);
    expect(result.code).not.toBe(0);
    expect(result.stderr.split("\n")).toHaveLength(1);
    expect(result.stderr).toContain(
      "--model smallcnn takes images, and the npy data hold vectors of 8 features (N×D)",
    );
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it("refuse image transforms in one line", () => {
    const train = loadDataset("npy", { split: "train", dataDir: data });
    expect(train.examples).toBe("vectors");
    const loader = (transforms: { op: string; pixels?: number }[]) =>
      new DataLoader(train, {
        batchSize: 4,
        inputSeed: 0,
        shuffle: { kind: "none" },
        transforms: transforms as never,
      });
    expect(loader([{ op: "standardize" }]).outputShape).toEqual(train.shape);
    expect(() => loader([{ op: "pad", pixels: 4 }, { op: "randomFlip" }])).toThrow(
      "holds vectors of 8 features (N×D), and pad, randomFlip are image transforms: vectors take scale and standardize only",
    );
  });
});

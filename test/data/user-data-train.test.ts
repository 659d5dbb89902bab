/**
 * End to end: `nnr train` on a user's NumPy arrays. The same 28×28 images as IDX files (the
 * mnist reader), as uint8 .npy, and as float32 .npy in 0..255 with --scale 255 train to
 * bit-identical weights: a format changes how bytes are read, never what the model sees.
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeExperiment } from "../../src/analysis/index.js";
import { FASHION_MNIST_SUBSET_DIR, loadDataset } from "../../src/data/registry.js";
import { serializeNpy } from "../../src/io/npy.js";
import { readRunRecord } from "../../src/train/index.js";
import { runCli, tempDir } from "../train/helpers.js";
import { writeIdxPair } from "./fixtures.js";

const TRAIN = 64;
const TEST = 32;
const RUN = ["--setting", "control", "--epochs", "1", "--batch-size", "16"];

function subset(split: "train" | "test", n: number) {
  const dataset = loadDataset("fashion-mnist", { split, dataDir: FASHION_MNIST_SUBSET_DIR });
  if (dataset.images.kind !== "memory") throw new Error("Fashion-MNIST is held in memory");
  return {
    pixels: dataset.images.pixels.slice(0, n * 28 * 28),
    labels: Uint8Array.from(dataset.labels.subarray(0, n)),
  };
}

function writeFolders(root: string) {
  const train = subset("train", TRAIN);
  const test = subset("test", TEST);
  const idx = join(root, "idx");
  const bytes = join(root, "npy-u8");
  const floats = join(root, "npy-f32");
  for (const dir of [idx, bytes, floats]) mkdirSync(dir);
  writeIdxPair(idx, "train", train.pixels, train.labels, [28, 28], false);
  writeIdxPair(idx, "t10k", test.pixels, test.labels, [28, 28], false);
  for (const [split, data, n] of [
    ["train", train, TRAIN],
    ["test", test, TEST],
  ] as const) {
    writeFileSync(join(bytes, `${split}_x.npy`), serializeNpy(data.pixels, [n, 28, 28]));
    writeFileSync(
      join(floats, `${split}_x.npy`),
      serializeNpy(Float32Array.from(data.pixels), [n, 28, 28]),
    );
    for (const dir of [bytes, floats]) {
      writeFileSync(join(dir, `${split}_y.npy`), serializeNpy(Int32Array.from(data.labels), [n]));
    }
  }
  return { idx, bytes, floats };
}

describe("nnr train on NumPy arrays", () => {
  it("trains to the same weights as the same bytes in IDX, uint8 or float32 with --scale 255", async () => {
    const root = tempDir("user-data-train");
    const { idx, bytes, floats } = writeFolders(root);
    const runs = [
      ["idx", ["--dataset", "mnist", "--data-dir", idx]],
      ["u8", ["--dataset", "npy", "--data-dir", bytes, "--classes", "10"]],
      ["f32", ["--dataset", "npy", "--data-dir", floats, "--classes", "10", "--scale", "255"]],
    ] as const;
    const hashes: string[] = [];
    for (const [name, args] of runs) {
      const out = join(root, `run-${name}`);
      const result = await runCli(["train", "--out", out, ...RUN, ...args]);
      expect(result.code, result.stderr).toBe(0);
      const record = readRunRecord(out)!;
      expect(record.status).toBe("complete");
      hashes.push(record.weightsSha256!);
    }
    expect(hashes[1]).toBe(hashes[0]);
    expect(hashes[2]).toBe(hashes[0]);
    const record = readRunRecord(join(root, "run-f32"))!;
    expect(record.config.dataset).toBe("npy");
    expect(record.config.dataOptions).toEqual({ classes: 10, scale: 255 });
    const source = record.data.train.dataset.source;
    expect(source.format).toBe("npy");
    expect(source.files.map((f) => f.path).sort()).toEqual(
      ["test_y.npy", "train_x.npy", "train_y.npy"].map((f) => join(floats, f)),
    );
  }, 120_000);

  it("refuses bad arrays in one line, writing nothing", async () => {
    const root = tempDir("user-data-bad");
    const { bytes } = writeFolders(root);
    writeFileSync(join(bytes, "train_y.npy"), serializeNpy(new Int32Array(TRAIN - 1), [TRAIN - 1]));
    const out = join(root, "run");
    const result = await runCli([
      "train",
      "--out",
      out,
      ...RUN,
      "--dataset",
      "npy",
      "--data-dir",
      bytes,
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(
      /train_y\.npy: holds 63 labels but .*train_x\.npy holds 64 examples/,
    );
    expect(existsSync(out)).toBe(false);
    const scaled = await runCli(["train", "--out", out, ...RUN, "--scale", "255"]);
    expect(scaled.code).not.toBe(0);
    expect(scaled.stderr).toMatch(/--scale \(dataOptions\) apply to --dataset npy or parquet/);
  }, 60_000);

  it("the analysis pools runs of one config only where they read the same files", async () => {
    const root = tempDir("user-data-pool");
    const { bytes } = writeFolders(root);
    const experiment = join(root, "experiment");
    const train = (replicate: number) =>
      runCli([
        "train",
        "--out",
        join(experiment, `run${replicate}`),
        "--replicate",
        String(replicate),
        ...RUN,
        "--dataset",
        "npy",
        "--data-dir",
        bytes,
        "--classes",
        "10",
      ]);
    expect((await train(0)).code).toBe(0);
    expect((await train(1)).code).toBe(0);
    expect(analyzeExperiment(experiment).problems).toEqual([]);
    // The same folder, other bytes: one label changed.
    const labels = Int32Array.from(subset("train", TRAIN).labels);
    labels[0] = (labels[0]! + 1) % 10;
    writeFileSync(join(bytes, "train_y.npy"), serializeNpy(labels, [TRAIN]));
    expect((await train(2)).code).toBe(0);
    const { problems, groups } = analyzeExperiment(experiment);
    expect(problems.map((p) => [p.path, p.effect])).toEqual([
      [join(experiment, "run2"), "excluded"],
    ]);
    expect(problems[0]!.message).toMatch(
      /read other data than .*run0 \(the dataset files' SHA-256 in run\.json differ\)/,
    );
    expect(groups).toHaveLength(1);
    expect(groups[0]!.runs.map((run) => run.dir)).toEqual(
      [0, 1].map((k) => join(experiment, `run${k}`)),
    );
  }, 120_000);
});

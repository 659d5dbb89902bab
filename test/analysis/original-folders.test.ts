/**
 * Reading the original code's run folders exactly: Keras's 0-based epoch numbering for
 * pred/ckpt files and log.csv, and its .h5 checkpoints for L2. The fixture in
 * test/analysis/fixtures/original is written by scripts/fixtures/original_runs.py (h5py);
 * these tests only read it.
 */
import { copyFileSync, cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { type Dataset, File } from "jsfive";
import { describe, expect, it } from "vitest";
import { readCheckpointWeights } from "../../src/analysis/group/group-weights.js";
import { analyzeExperiment } from "../../src/analysis/index.js";
import { discoverRuns } from "../../src/analysis/runs/discover.js";
import { loadGroup } from "../../src/analysis/runs/load-group.js";
import type { Problem } from "../../src/analysis/runs/types.js";
import { readKerasWeights } from "../../src/io/keras-h5.js";
import { tempDir, writeNnrRun } from "./fixtures.js";

const FIXTURE = join(import.meta.dirname, "fixtures", "original");
const LABELS = join(FIXTURE, "test-labels.txt");
const run = (replicate: number) => join(FIXTURE, `logs_smallcnn_cifar10_control_${replicate}`);

describe("the original's run folders", () => {
  it("keeps Keras's 0-based epoch numbers: pred9 … pred199, ckpt at the same epochs", () => {
    const { runs, problems } = discoverRuns(FIXTURE, LABELS);
    expect(problems).toEqual([]);
    expect(runs.map((r) => r.replicate)).toEqual(["0", "1"]);
    const [first] = runs;
    expect([...first!.predictionFiles.keys()].sort((a, b) => a - b)).toEqual([9, 49, 99, 149, 199]);
    expect([...first!.checkpointFiles.keys()].sort((a, b) => a - b)).toEqual([149, 199]);
    expect(first!.epochBase).toBe(0);
  });

  it("takes the largest epoch as final and log.csv's row with that very epoch", () => {
    const problems: Problem[] = [];
    const { runs } = discoverRuns(FIXTURE, LABELS);
    const final = loadGroup(runs, undefined, problems)!;
    expect(final.epoch).toBe(199);
    // The fixture's log holds 0.25 on every unsaved epoch, so an off-by-one row (198) shows.
    // Run 0 predicts all 6 test labels at epoch 199; run 1 gets 5 of 6.
    // log.csv holds 6 decimals, as the fixture script writes them.
    const logged = final.runs.map((r) => r.loggedAccuracy!);
    expect(logged[0]).toBe(1);
    expect(logged[1]).toBeCloseTo(5 / 6, 6);
    expect(final.runs[0]!.checkpointFile).toBe(join(run(0), "ckpt199.h5"));
    const tenth = loadGroup(runs, 9, problems)!;
    // pred9.txt of run 0 is all zeros: 2 of 6 correct; run 1 all ones: 2 of 6.
    for (const r of tenth.runs) expect(r.loggedAccuracy).toBeCloseTo(2 / 6, 6);
    expect(tenth.runs[0]!.checkpointFile).toBeUndefined();
    expect(problems).toEqual([]);
  });

  it("reads nnr-run/1 folders (0-based log beside 1-based files) and nnr-run/2 ones", () => {
    const root = tempDir("numbering");
    const v1 = writeNnrRun(root, {
      setting: "control",
      replicate: 0,
      labels: [0, 1],
      predictions: { 2: [0, 1] },
    });
    // log.csv as nnr-run/1 wrote it: Keras's 0-based row 1 for pred2.txt.
    writeFileSync(join(v1, "log.csv"), "epoch,val_accuracy\n0,0.1\n1,0.7\n");
    const v2 = writeNnrRun(root, {
      setting: "algo",
      replicate: 0,
      labels: [0, 1],
      predictions: { 2: [0, 1] },
    });
    const record = JSON.parse(readFileSync(join(v2, "run.json"), "utf8"));
    writeFileSync(join(v2, "run.json"), JSON.stringify({ ...record, format: "nnr-run/2" }));
    writeFileSync(join(v2, "log.csv"), "epoch,val_accuracy\n1,0.1\n2,0.6\n");
    const { runs } = discoverRuns(root);
    const logged = runs.map(
      (folder) => loadGroup([folder], undefined, [])!.runs[0]!.loggedAccuracy,
    );
    expect(logged.sort()).toEqual([0.6, 0.7]);
  });
});

describe("Keras .h5 checkpoints", () => {
  it("reads the weights in Keras's layer order, without the optimizer's", () => {
    const weights = readKerasWeights(join(run(0), "ckpt199.h5"));
    expect([...weights.keys()]).toEqual([
      "conv2d/kernel:0",
      "conv2d/bias:0",
      "batch_normalization/gamma:0",
      "batch_normalization/beta:0",
      "batch_normalization/moving_mean:0",
      "batch_normalization/moving_variance:0",
      "dense/kernel:0",
      "dense/bias:0",
    ]);
    // Run 0's scale at epoch 199 is (0 + 1)(199 + 1)/100 = 2 (the fixture script).
    expect(weights.get("conv2d/kernel:0")!.shape).toEqual([3, 3, 3, 2]);
    expect(Array.from(weights.get("dense/kernel:0")!.data)).toEqual([0, 2, 4, 6, 8, 10]);
    // Moving statistics are buffers, not trained weights: 54 + 2 + 2 + 2 + 6 + 3 values remain.
    expect(readCheckpointWeights(join(run(0), "ckpt199.h5")).values.length).toBe(69);
  });

  it("reads contiguous float32 weights straight from the bytes, as jsfive decodes them", () => {
    const path = join(run(1), "ckpt149.h5");
    const bytes = readFileSync(path);
    const file = new File(
      bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength),
      path,
    );
    for (const [name, weight] of readKerasWeights(path)) {
      const dataset = file.get(`model_weights/${name.split("/")[0]}/${name}`) as Dataset;
      expect(weight.data).toEqual(Float32Array.from(dataset.value as ArrayLike<number>, Number));
    }
  });

  it("gives L2 between the original's runs, worked by hand", () => {
    const result = analyzeExperiment(FIXTURE, { labelsFile: LABELS });
    const group = result.groups[0]!;
    expect(group.epoch).toBe(199);
    // Scales 2 and 4: every trained weight differs by 2× its pattern value. Squares:
    // conv kernel 54·4, conv bias 2·4, gamma 2·4, beta 0, dense kernel (0+1+4+9+16+25)·4, bias 0.
    expect(group.l2!.value).toBeCloseTo(Math.sqrt(216 + 8 + 8 + 220), 5);
    expect(group.accuracy!.source).toBe("labels");
    expect(group.accuracy!.mean.value).toBeCloseTo((1 + 5 / 6) / 2, 12);
  });

  it("names a truncated .h5 on one line and leaves L2 out", () => {
    const root = tempDir("h5");
    for (const replicate of [0, 1])
      cpSync(run(replicate), join(root, `logs_smallcnn_cifar10_control_${replicate}`), {
        recursive: true,
      });
    const broken = join(root, "logs_smallcnn_cifar10_control_1", "ckpt199.h5");
    writeFileSync(broken, readFileSync(broken).subarray(0, 900));
    expect(() => readKerasWeights(broken)).toThrow(
      new RegExp(`^${broken.replace(/[.]/g, "\\.")}: .*truncated`),
    );
    copyFileSync(LABELS, join(root, "test-labels.txt"));
    mkdirSync(join(root, "unrelated"), { recursive: true });
    const group = analyzeExperiment(root, { labelsFile: join(root, "test-labels.txt") }).groups[0]!;
    expect(group.l2).toBeNull();
    expect(group.notes.join(" ")).toMatch(/L2 skipped: .*ckpt199\.h5/);
  });
});

/**
 * A 2-rank run with per-rank BatchNorm (DDP's default) evaluates as rank 0 alone would: the
 * saved probabilities are bit for bit those of its saved weights evaluated in one process.
 * Each rank evaluates its share of the test batches (distributed/evaluation-share.ts); rank 1's
 * running statistics are its own since the last step, so it must take rank 0's first, and
 * without that the probabilities of its batches differ. 1,500 test examples: batches of 500,
 * two on rank 0 and one on rank 1.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Generator, setThreads } from "../../src/engine/index.js";
import { readNpy } from "../../src/io/npy.js";
import { loadWeights } from "../../src/nn/checkpoint.js";
import { evaluationTransforms, loadRunData } from "../../src/train/data-setup.js";
import { evaluate } from "../../src/train/evaluate.js";
import { readRunRecord } from "../../src/train/index.js";
import { buildModel } from "../../src/train/model-setup.js";
import { tempDir } from "../train/helpers.js";
import { startCli } from "./helpers.js";

describe("evaluation over 2 ranks with per-rank BatchNorm", () => {
  const out = join(tempDir("evaluation-bits"), "bn");

  it("saves the probabilities one process computes from the saved weights", async () => {
    const run = startCli([
      "train",
      "--out",
      out,
      "--setting",
      "control",
      "--bn",
      "--epochs",
      "1",
      "--train-examples",
      "256",
      "--test-examples",
      "1500",
      "--batch-size",
      "32",
      "--nproc",
      "2",
    ]);
    const finished = await run.done;
    expect(finished.code, finished.stderr).toBe(0);
    const config = readRunRecord(out)!.config;
    setThreads(config.threads);
    const data = await loadRunData(config, () => {});
    const shape = data.test.shape;
    const model = buildModel(config, shape, data.test.classNames.length, new Generator(0, "init"));
    loadWeights(join(out, "ckpt1.safetensors"), model);
    const alone = await evaluate(model, data.test, evaluationTransforms(config.transforms), "cpu");
    const saved = readNpy(join(out, "probs1.npy")).data as Float32Array;
    expect(saved.length).toBe(1500 * 10);
    expect(Buffer.from(saved.buffer)).toEqual(Buffer.from(alone.probabilities.buffer));
    model.dispose();
  }, 120_000);
});

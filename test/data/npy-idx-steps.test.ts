/**
 * The same Fashion-MNIST examples as IDX, uint8 .npy and float32 .npy (--scale 255), each
 * trained on by SmallCNN for the same steps with the same seeds (bench/format-training.ts,
 * the trainer bench/npy-step-time.ts times): the weights end bit-identical, because the
 * batches are. Not timed; compared on this machine only, never against a stored hash.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { smallCnnTrainer } from "../../bench/format-training.js";
import { FASHION_MNIST_SUBSET_DIR, loadDataset } from "../../src/data/registry.js";
import type { Dataset } from "../../src/data/types.js";
import { serializeNpy } from "../../src/io/npy.js";
import { tempDir } from "../train/helpers.js";
import { writeIdxPair } from "./fixtures.js";

const EXAMPLES = 96;
const BATCH = 16;
/** Eight steps: past the first epoch's six, so the buffer shuffle's second epoch is in it. */
const STEPS = 8;

function folders(root: string) {
  const fashion = loadDataset("fashion-mnist", {
    split: "train",
    dataDir: FASHION_MNIST_SUBSET_DIR,
  });
  if (fashion.images.kind !== "memory") throw new Error("Fashion-MNIST is held in memory");
  const pixels = fashion.images.pixels.slice(0, EXAMPLES * 784);
  const labels = Uint8Array.from(fashion.labels.subarray(0, EXAMPLES));
  const dirs = { idx: join(root, "idx"), u8: join(root, "u8"), f32: join(root, "f32") };
  for (const dir of Object.values(dirs)) mkdirSync(dir);
  writeIdxPair(dirs.idx, "train", pixels, labels, [28, 28], false);
  writeIdxPair(dirs.idx, "t10k", pixels.subarray(0, 784), labels.subarray(0, 1), [28, 28], false);
  for (const [dir, x] of [
    [dirs.u8, pixels],
    [dirs.f32, Float32Array.from(pixels)],
  ] as const) {
    writeFileSync(join(dir, "train_x.npy"), serializeNpy(x, [EXAMPLES, 28, 28]));
    writeFileSync(join(dir, "train_y.npy"), serializeNpy(Int32Array.from(labels), [EXAMPLES]));
    writeFileSync(join(dir, "test_x.npy"), serializeNpy(x.subarray(0, 784), [1, 28, 28]));
    writeFileSync(join(dir, "test_y.npy"), serializeNpy(Int32Array.from([labels[0]!]), [1]));
  }
  return dirs;
}

async function trainedHashes(dataset: Dataset): Promise<{ before: string; after: string }> {
  const trainer = smallCnnTrainer(dataset, BATCH);
  const before = trainer.weightsSha256();
  for (let step = 0; step < STEPS; step++) await trainer.step();
  const after = trainer.weightsSha256();
  trainer.dispose();
  return { before, after };
}

describe("SmallCNN steps on npy and on IDX", () => {
  it("end in the same weights, bit for bit, from the same examples and seeds", async () => {
    const dirs = folders(tempDir("npy-idx-steps"));
    const idx = await trainedHashes(loadDataset("mnist", { split: "train", dataDir: dirs.idx }));
    const u8 = await trainedHashes(
      loadDataset("npy", { split: "train", dataDir: dirs.u8, dataOptions: { classes: 10 } }),
    );
    const f32 = await trainedHashes(
      loadDataset("npy", {
        split: "train",
        dataDir: dirs.f32,
        dataOptions: { classes: 10, scale: 255 },
      }),
    );
    expect(idx.after).not.toBe(idx.before); // the steps moved the weights
    expect(u8.before).toBe(idx.before);
    expect(u8.after).toBe(idx.after);
    expect(f32.after).toBe(idx.after);
  }, 60_000);
});

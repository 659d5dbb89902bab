/**
 * The training step on NumPy data against the same examples as IDX: the first N Fashion-MNIST
 * training images written as IDX, as uint8 .npy and as float32 .npy (0..255, --scale 255),
 * each read back by its reader and trained on by SmallCNN as `nnr train` steps it
 * (bench/format-training.ts: the batch from the loader, copied to tensors, forward, backward,
 * Adam's step). The formats take turns step by step, so the machine's load falls on all
 * alike; each figure is the median over rounds of the mean time per step, after one round of
 * warm-up, and the ratio the median over rounds of the round's ratio to IDX. The trainers
 * take the same batches, so their weights must end bit-identical: the bench says whether
 * they did.
 *
 *   npx tsx bench/npy-step-time.ts [--images 20000] [--steps 20] [--rounds 8] [--threads 1]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { encodeIdx } from "../src/data/idx.js";
import { type DatasetName, type LoadDatasetOptions, loadDataset } from "../src/data/registry.js";
import { setThreads } from "../src/engine/index.js";
import { serializeNpy } from "../src/io/npy.js";
import { type FormatTrainer, smallCnnTrainer } from "./format-training.js";

const { values } = parseArgs({
  options: {
    images: { type: "string", default: "20000" },
    steps: { type: "string", default: "20" },
    rounds: { type: "string", default: "8" },
    threads: { type: "string", default: "1" },
  },
});
const N = Number(values.images);
const STEPS = Number(values.steps);
const ROUNDS = Number(values.rounds);
setThreads(Number(values.threads));

function fashionImages(): { pixels: Uint8Array; labels: Uint8Array } {
  const fashion = loadDataset("fashion-mnist", { split: "train", notify: () => {} });
  if (fashion.images.kind !== "memory") throw new Error("Fashion-MNIST is held in memory");
  const n = Math.min(N, fashion.length);
  return {
    pixels: fashion.images.pixels.slice(0, n * 784),
    labels: Uint8Array.from(fashion.labels.subarray(0, n)),
  };
}

/** IDX, uint8 .npy and float32 .npy folders of the same images; a one-image test split each. */
function writeFormats(root: string, pixels: Uint8Array, labels: Uint8Array) {
  const n = labels.length;
  const dirs = { idx: join(root, "idx"), u8: join(root, "npy-u8"), f32: join(root, "npy-f32") };
  for (const dir of Object.values(dirs)) mkdirSync(dir);
  const idx = (name: string, shape: number[], bytes: Uint8Array) =>
    writeFileSync(join(dirs.idx, name), encodeIdx(shape, bytes, false));
  idx("train-images-idx3-ubyte", [n, 28, 28], pixels);
  idx("train-labels-idx1-ubyte", [n], labels);
  idx("t10k-images-idx3-ubyte", [1, 28, 28], pixels.subarray(0, 784));
  idx("t10k-labels-idx1-ubyte", [1], labels.subarray(0, 1));
  for (const [dir, x] of [
    [dirs.u8, pixels],
    [dirs.f32, Float32Array.from(pixels)],
  ] as const) {
    writeFileSync(join(dir, "train_x.npy"), serializeNpy(x, [n, 28, 28]));
    writeFileSync(join(dir, "train_y.npy"), serializeNpy(Int32Array.from(labels), [n]));
    writeFileSync(join(dir, "test_x.npy"), serializeNpy(x.subarray(0, 784), [1, 28, 28]));
    writeFileSync(
      join(dir, "test_y.npy"),
      serializeNpy(Int32Array.from(labels.subarray(0, 1)), [1]),
    );
  }
  return dirs;
}

interface Contender {
  label: string;
  trainer: FormatTrainer;
  msPerStep: number[];
}

function contender(label: string, name: DatasetName, options: LoadDatasetOptions): Contender {
  const dataset = loadDataset(name, { ...options, notify: () => {} });
  return { label, trainer: smallCnnTrainer(dataset), msPerStep: [] };
}

/**
 * One round: STEPS steps of every format, the formats taking turns step by step, so a burst
 * of load on the shared machine falls on all of them alike. Records each format's mean.
 */
async function round(contenders: Contender[], record: boolean): Promise<void> {
  const totals = contenders.map(() => 0);
  for (let step = 0; step < STEPS; step++) {
    for (const [k, entry] of contenders.entries()) {
      const start = process.hrtime.bigint();
      await entry.trainer.step();
      totals[k]! += Number(process.hrtime.bigint() - start) / 1e6;
    }
  }
  if (!record) return;
  for (const [k, entry] of contenders.entries()) entry.msPerStep.push(totals[k]! / STEPS);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const root = mkdtempSync(join(tmpdir(), "nnr-bench-npy-steps-"));
try {
  const { pixels, labels } = fashionImages();
  const dirs = writeFormats(root, pixels, labels);
  const contenders = [
    contender("idx (mnist reader)", "mnist", { split: "train", dataDir: dirs.idx }),
    contender("npy uint8", "npy", {
      split: "train",
      dataDir: dirs.u8,
      dataOptions: { classes: 10 },
    }),
    contender("npy float32, --scale 255", "npy", {
      split: "train",
      dataDir: dirs.f32,
      dataOptions: { classes: 10, scale: 255 },
    }),
  ];
  for (let r = 0; r <= ROUNDS; r++) await round(contenders, r > 0);
  console.log(
    `SmallCNN, batch 128, ${values.threads} thread(s), ${labels.length} Fashion-MNIST images; ${ROUNDS} rounds of ${STEPS} steps each, formats in turn (median ms per step)`,
  );
  const idx = contenders[0]!.msPerStep;
  for (const { label, msPerStep } of contenders) {
    const spread = `${Math.min(...msPerStep).toFixed(1)}–${Math.max(...msPerStep).toFixed(1)}`;
    // The ratio within each round (same load), then its median over rounds.
    const ratio = median(msPerStep.map((ms, r) => ms / idx[r]!));
    console.log(
      `${label.padEnd(26)} ${median(msPerStep).toFixed(2).padStart(8)} ms/step  (rounds ${spread})  ratio to idx ${ratio.toFixed(3)}`,
    );
  }
  const hashes = contenders.map((entry) => entry.trainer.weightsSha256());
  const same = hashes.every((hash) => hash === hashes[0]);
  console.log(
    `weights after ${(ROUNDS + 1) * STEPS} steps: ${same ? "bit-identical in every format" : `DIFFER (${hashes.map((h) => h.slice(0, 12)).join(", ")})`}`,
  );
  for (const { trainer } of contenders) trainer.dispose();
  if (!same) process.exitCode = 1;
} finally {
  rmSync(root, { recursive: true, force: true });
}

/**
 * Loader throughput: images per second from a loaded dataset into batched float32 NCHW
 * arrays (shuffle, transforms, batching; reading files is not timed). SmallCNN trains at
 * about 3,000 images/s, so the loader must stay well above 30,000 images/s. A data-parallel
 * rank's loader assembles only its slice of each global batch; its line counts the global
 * batch's images, the rate at which one rank keeps up with the whole run.
 *
 *   npx tsx bench/data-throughput.ts
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataLoader, type LoaderOptions } from "../src/data/loader.js";
import { loadDataset, PIPELINES } from "../src/data/registry.js";
import type { Dataset } from "../src/data/types.js";

const BATCH_SIZE = 128;
const EPOCHS = 3;

async function imagesPerSecond(
  dataset: Dataset,
  options: Omit<LoaderOptions, "batchSize" | "inputSeed">,
) {
  const loader = new DataLoader(dataset, { ...options, batchSize: BATCH_SIZE, inputSeed: 0 });
  for await (const _ of loader.epochBatches()); // warm-up epoch: JIT, page faults
  const start = process.hrtime.bigint();
  let images = 0;
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    for await (const batch of loader.epochBatches()) {
      images += batch.globalExamples ?? batch.imageShape[0];
    }
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return images / seconds;
}

/** 50,000 + 10,000 random CIFAR-10 records in the binary format, in a temporary folder. */
function writeSyntheticCifar10(): string {
  const dir = mkdtempSync(join(tmpdir(), "nnr-bench-cifar-"));
  let state = 12345;
  const records = (count: number) => {
    const bytes = Buffer.alloc(count * 3073);
    for (let i = 0; i < bytes.length; i++) {
      state = (Math.imul(state, 1103515245) + 12345) >>> 0; // fixed LCG: reproducible content
      bytes[i] = state >>> 24;
    }
    for (let r = 0; r < count; r++) bytes[r * 3073] = bytes[r * 3073]! % 10;
    return bytes;
  };
  for (let k = 1; k <= 5; k++) writeFileSync(join(dir, `data_batch_${k}.bin`), records(10000));
  writeFileSync(join(dir, "test_batch.bin"), records(10000));
  return dir;
}

function report(label: string, rate: number) {
  console.log(
    `${label.padEnd(58)} ${Math.round(rate).toLocaleString("en-US").padStart(9)} images/s`,
  );
}

const fashion = loadDataset("fashion-mnist", { split: "train" });
console.log(
  `Fashion-MNIST from ${fashion.source.root} (${fashion.length} images); batch ${BATCH_SIZE}, ${EPOCHS} epochs`,
);
report(
  "fashion-mnist  permutation, scale",
  await imagesPerSecond(fashion, { shuffle: { kind: "permutation" }, transforms: PIPELINES.scale }),
);
report(
  "fashion-mnist  buffer 1024, scale",
  await imagesPerSecond(fashion, {
    shuffle: { kind: "buffer", size: 1024 },
    transforms: PIPELINES.scale,
  }),
);

const cifarDir = writeSyntheticCifar10();
try {
  const cifar = loadDataset("cifar10", { split: "train", dataDir: cifarDir });
  console.log(`synthetic CIFAR-10 binary set (${cifar.length} images)`);
  report(
    "cifar10  buffer 1024, scale (SmallCNN)",
    await imagesPerSecond(cifar, {
      shuffle: { kind: "buffer", size: 1024 },
      transforms: PIPELINES.scale,
    }),
  );
  report(
    "cifar10  buffer 10000, pad+crop+flip+standardize (ResNet18)",
    await imagesPerSecond(cifar, {
      shuffle: { kind: "buffer", size: 10000 },
      transforms: PIPELINES.cifarAugmentStandardize,
    }),
  );
  report(
    "  the same, rank 0 of 2 (its half of each batch; global)",
    await imagesPerSecond(cifar, {
      shuffle: { kind: "buffer", size: 10000 },
      transforms: PIPELINES.cifarAugmentStandardize,
      slice: { rank: 0, worldSize: 2 },
    }),
  );
} finally {
  rmSync(cifarDir, { recursive: true, force: true });
}

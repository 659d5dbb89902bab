/**
 * Prints the SHA-256 of the first batches of the committed Fashion-MNIST subset under an
 * input seed, as JSON: the cross-process determinism test compares it with its own.
 *
 *   node --import tsx test/data/print-batch-digests.ts <inputSeed> <batches>
 */
import { DataLoader } from "../../src/data/loader.js";
import { FASHION_MNIST_SUBSET_DIR, loadDataset } from "../../src/data/registry.js";
import { batchDigest, take } from "./loader-helpers.js";

export const CROSS_PROCESS_OPTIONS = {
  batchSize: 64,
  shuffle: { kind: "buffer" as const, size: 500 },
  transforms: [
    { op: "pad" as const, pixels: 4 },
    { op: "randomCrop" as const, height: 28, width: 28 },
    { op: "randomFlip" as const },
    { op: "standardize" as const },
  ],
};

export async function subsetDigests(inputSeed: number, batches: number): Promise<string[]> {
  const dataset = loadDataset("fashion-mnist", {
    split: "train",
    dataDir: FASHION_MNIST_SUBSET_DIR,
  });
  const loader = new DataLoader(dataset, { ...CROSS_PROCESS_OPTIONS, inputSeed });
  return (await take(loader, batches)).map(batchDigest);
}

if (process.argv[1]?.endsWith("print-batch-digests.ts")) {
  const [seed, count] = process.argv.slice(2).map(Number);
  console.log(JSON.stringify(await subsetDigests(seed!, count!)));
}

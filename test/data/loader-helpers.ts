/** Small in-memory datasets and batch fingerprints for the loader tests. */
import { createHash } from "node:crypto";
import type { Batch, Dataset } from "../../src/data/types.js";
import { syntheticPixels } from "./fixtures.js";

export function memoryDataset(
  length: number,
  shape = { channels: 3, height: 8, width: 8 },
): Dataset {
  const elements = shape.channels * shape.height * shape.width;
  return {
    name: "synthetic",
    split: "train",
    kind: "multiclass",
    length,
    shape,
    images: { kind: "memory", pixels: syntheticPixels(length, elements) },
    labels: Int32Array.from({ length }, (_, i) => i % 10),
    classNames: Array.from({ length: 10 }, (_, i) => `class${i}`),
    source: { format: "idx", root: "(memory)", files: [] },
  };
}

/** SHA-256 over every byte a batch hands to training. */
export function batchDigest(batch: Batch): string {
  const hash = createHash("sha256");
  for (const array of [batch.images, batch.labels, batch.indices]) {
    hash.update(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  }
  hash.update(JSON.stringify([batch.imageShape, batch.epoch, batch.batchInEpoch]));
  return hash.digest("hex");
}

export async function take(loader: { next(): Promise<Batch> }, count: number): Promise<Batch[]> {
  const batches: Batch[] = [];
  for (let i = 0; i < count; i++) batches.push(await loader.next());
  return batches;
}

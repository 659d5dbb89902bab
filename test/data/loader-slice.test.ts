/**
 * A data-parallel rank's loader (LoaderOptions.slice) assembles only its slice of each global
 * batch. Its bytes must be exactly those of the whole batch's slice: the augmentation draws are
 * made for the whole batch in order, so the slices put together are the whole batch, byte for
 * byte, at any world size and across a short last batch.
 */
import { describe, expect, it } from "vitest";
import { DataLoader, type LoaderOptions } from "../../src/data/loader.js";
import type { Batch, Dataset } from "../../src/data/types.js";
import { memoryDataset, take } from "./loader-helpers.js";

const AUGMENTED: LoaderOptions = {
  batchSize: 12,
  shuffle: { kind: "permutation" },
  inputSeed: 7,
  transforms: [
    { op: "pad", pixels: 2 },
    { op: "randomCrop", height: 8, width: 8 },
    { op: "randomFlip" },
    { op: "standardize" },
  ],
};
// 100 examples in batches of 12: eight whole batches and a short one of 4 per epoch, which
// 3 ranks split 2/1/1.
const LENGTH = 100;
const BATCHES = 18; // two epochs

const bytes = (array: Float32Array | Int32Array | Uint8Array) =>
  Buffer.from(array.buffer, array.byteOffset, array.byteLength);

function joined(slices: Batch[]): { images: Buffer; labels: Buffer; indices: Buffer } {
  return {
    images: Buffer.concat(slices.map((s) => bytes(s.images))),
    labels: Buffer.concat(slices.map((s) => bytes(s.labels))),
    indices: Buffer.concat(slices.map((s) => bytes(s.indices))),
  };
}

/** The memory dataset served lazily, noting which examples were read. */
function lazyDataset(length: number): { dataset: Dataset; read: number[] } {
  const memory = memoryDataset(length);
  const pixels = memory.images.kind === "memory" ? memory.images.pixels : new Uint8Array();
  const elements = pixels.length / length;
  const read: number[] = [];
  const dataset: Dataset = {
    ...memory,
    images: {
      kind: "lazy",
      read: async (index) => {
        read.push(index);
        return pixels.subarray(index * elements, (index + 1) * elements);
      },
    },
  };
  return { dataset, read };
}

describe("DataLoader slice (one rank's share of each batch)", () => {
  for (const worldSize of [2, 3]) {
    it(`puts ${worldSize} ranks' slices together into the whole batches, byte for byte`, async () => {
      const whole = await take(new DataLoader(memoryDataset(LENGTH), AUGMENTED), BATCHES);
      const ranks = await Promise.all(
        Array.from({ length: worldSize }, (_, rank) =>
          take(
            new DataLoader(memoryDataset(LENGTH), { ...AUGMENTED, slice: { rank, worldSize } }),
            BATCHES,
          ),
        ),
      );
      whole.forEach((batch, k) => {
        const slices = ranks.map((batches) => batches[k]!);
        expect(joined(slices)).toEqual({
          images: bytes(batch.images),
          labels: bytes(batch.labels),
          indices: bytes(batch.indices),
        });
        for (const slice of slices) {
          expect([slice.epoch, slice.batchInEpoch]).toEqual([batch.epoch, batch.batchInEpoch]);
          expect(slice.globalExamples).toBe(batch.imageShape[0]);
          expect(slice.imageShape.slice(1)).toEqual(batch.imageShape.slice(1));
        }
        expect(batch.globalExamples).toBeUndefined();
      });
      // The short last batch of 4: the first ranks take one more.
      expect(ranks.map((batches) => batches[8]!.imageShape[0])).toEqual(
        worldSize === 2 ? [2, 2] : [2, 1, 1],
      );
    });
  }

  it("leaves the loader state that of the whole loader, so a resume continues either", async () => {
    const whole = new DataLoader(memoryDataset(LENGTH), AUGMENTED);
    const sliced = new DataLoader(memoryDataset(LENGTH), {
      ...AUGMENTED,
      slice: { rank: 1, worldSize: 2 },
    });
    await take(whole, 11);
    await take(sliced, 11);
    expect(sliced.state()).toEqual(whole.state());
    const resumed = new DataLoader(
      memoryDataset(LENGTH),
      { ...AUGMENTED, slice: { rank: 1, worldSize: 2 } },
      whole.state(),
    );
    const [next] = await take(resumed, 1);
    const [expected] = await take(sliced, 1);
    expect(bytes(next!.images)).toEqual(bytes(expected!.images));
  });

  it("reads only its own examples from a lazily decoded dataset", async () => {
    const { dataset, read } = lazyDataset(LENGTH);
    const [batch] = await take(
      new DataLoader(dataset, { ...AUGMENTED, prefetch: 0, slice: { rank: 1, worldSize: 2 } }),
      1,
    );
    expect(read).toEqual(Array.from(batch!.indices));
    expect(read).toHaveLength(6);
  });

  it("refuses a rank outside the world", () => {
    expect(
      () => new DataLoader(memoryDataset(10), { ...AUGMENTED, slice: { rank: 2, worldSize: 2 } }),
    ).toThrow("rank 2 is not in 0..1");
  });
});

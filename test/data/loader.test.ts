import { describe, expect, it } from "vitest";
import { DataLoader, type LoaderOptions } from "../../src/data/loader.js";
import { PIPELINES } from "../../src/data/registry.js";
import { UserError } from "../../src/errors.js";
import { batchDigest, memoryDataset, take } from "./loader-helpers.js";

const AUGMENTED: LoaderOptions = {
  batchSize: 16,
  shuffle: { kind: "permutation" },
  inputSeed: 42,
  transforms: [
    { op: "pad", pixels: 2 },
    { op: "randomCrop", height: 8, width: 8 },
    { op: "randomFlip" },
    { op: "standardize" },
  ],
};

const digests = async (options: LoaderOptions, count: number, length = 100) =>
  (await take(new DataLoader(memoryDataset(length), options), count)).map(batchDigest);

const sorted = (values: Iterable<number>) => Array.from(values).sort((a, b) => a - b);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe("DataLoader determinism", () => {
  it("gives byte-identical batches for the same input seed", async () => {
    expect(await digests(AUGMENTED, 20)).toEqual(await digests(AUGMENTED, 20));
    const buffered = { ...AUGMENTED, shuffle: { kind: "buffer" as const, size: 10 } };
    expect(await digests(buffered, 20)).toEqual(await digests(buffered, 20));
  });

  it("gives different orders and augmentations for different seeds", async () => {
    const [a] = await take(new DataLoader(memoryDataset(100), AUGMENTED), 1);
    const [b] = await take(new DataLoader(memoryDataset(100), { ...AUGMENTED, inputSeed: 43 }), 1);
    expect(Array.from(a!.indices)).not.toEqual(Array.from(b!.indices));
    // Same examples in the same order, different augmentation: with no shuffle the order is
    // fixed, so any difference in pixels comes from the augment generator.
    const fixedOrder = (inputSeed: number) =>
      new DataLoader(memoryDataset(100), { ...AUGMENTED, shuffle: { kind: "none" }, inputSeed });
    const [c] = await take(fixedOrder(1), 1);
    const [d] = await take(fixedOrder(2), 1);
    expect(Array.from(c!.indices)).toEqual(Array.from(d!.indices));
    expect(Buffer.from(c!.images.buffer)).not.toEqual(Buffer.from(d!.images.buffer));
  });

  it("keeps the order independent of augmentation (separate generators)", async () => {
    const plain = await take(
      new DataLoader(memoryDataset(100), { ...AUGMENTED, transforms: [] }),
      12,
    );
    const augmented = await take(new DataLoader(memoryDataset(100), AUGMENTED), 12);
    expect(plain.map((b) => Array.from(b.indices))).toEqual(
      augmented.map((b) => Array.from(b.indices)),
    );
  });

  it("is byte-identical with prefetch on and off", async () => {
    for (const prefetch of [1, 5]) {
      expect(await digests({ ...AUGMENTED, prefetch }, 25)).toEqual(
        await digests({ ...AUGMENTED, prefetch: 0 }, 25),
      );
    }
  });
});

describe("DataLoader order", () => {
  it("visits every example once per epoch, in a new permutation each epoch", async () => {
    const loader = new DataLoader(memoryDataset(100), AUGMENTED);
    expect(loader.batchesPerEpoch).toBe(7);
    const epochs: number[][] = [];
    for (let e = 0; e < 2; e++) {
      const batches = [];
      for await (const batch of loader.epochBatches()) batches.push(batch);
      expect(batches.map((b) => [b.epoch, b.batchInEpoch])).toEqual(range(7).map((i) => [e, i]));
      expect(batches.map((b) => b.indices.length)).toEqual([16, 16, 16, 16, 16, 16, 4]);
      epochs.push(batches.flatMap((b) => Array.from(b.indices)));
    }
    expect(sorted(epochs[0]!)).toEqual(range(100));
    expect(sorted(epochs[1]!)).toEqual(range(100));
    expect(epochs[0]).not.toEqual(epochs[1]);
  });

  it("drops the short last batch when asked", async () => {
    const loader = new DataLoader(memoryDataset(100), { ...AUGMENTED, dropRemainder: true });
    expect(loader.batchesPerEpoch).toBe(6);
    const batches = await take(loader, 7);
    expect(batches.map((b) => b.indices.length)).toEqual(new Array(7).fill(16));
    expect(batches[6]!.epoch).toBe(1);
    expect(() => new DataLoader(memoryDataset(10), { ...AUGMENTED, dropRemainder: true })).toThrow(
      UserError,
    );
  });

  it("shuffles through a TensorFlow-style buffer: outputs stay near their file position", async () => {
    const size = 8;
    const loader = new DataLoader(memoryDataset(200), {
      ...AUGMENTED,
      batchSize: 10,
      shuffle: { kind: "buffer", size },
    });
    const epoch = (await take(loader, 20)).flatMap((b) => Array.from(b.indices));
    expect(sorted(epoch)).toEqual(range(200));
    // The k-th output is drawn from a buffer holding only examples up to k + size − 1.
    for (const [k, index] of epoch.entries()) expect(index).toBeLessThan(k + size);
    expect(epoch).not.toEqual(range(200));
    const nextEpoch = (await take(loader, 20)).flatMap((b) => Array.from(b.indices));
    expect(sorted(nextEpoch)).toEqual(range(200));
    expect(nextEpoch).not.toEqual(epoch);
  });

  it("keeps file order with shuffle none, and multilabel rows with their examples", async () => {
    const dataset = { ...memoryDataset(6), kind: "multilabel" as const, classNames: ["a", "b"] };
    dataset.labels = Uint8Array.from([0, 1, 1, 0, 1, 1, 0, 0, 1, 0, 0, 1]);
    const [first, second] = await take(
      new DataLoader(dataset, { batchSize: 4, shuffle: { kind: "none" }, inputSeed: 0 }),
      2,
    );
    expect(Array.from(first!.indices)).toEqual([0, 1, 2, 3]);
    expect(Array.from(first!.labels)).toEqual([0, 1, 1, 0, 1, 1, 0, 0]);
    expect(Array.from(second!.labels)).toEqual([1, 0, 0, 1]);
    expect(second!.imageShape).toEqual([2, 3, 8, 8]);
    // Default transform: bytes scaled to [0, 1].
    if (dataset.images.kind !== "memory") throw new Error("memory dataset");
    expect(first!.images[5]).toBeCloseTo(dataset.images.pixels[5]! / 255, 6);
  });
});

describe("DataLoader with the default scale alone", () => {
  it("gives each planned image's bytes / 255, bit for bit, batch after batch", async () => {
    // A lone scale is assembled over the whole batch at once (src/data/batch-assembly.ts).
    const dataset = memoryDataset(50, { channels: 1, height: 5, width: 7 });
    if (dataset.images.kind !== "memory") throw new Error("memory dataset");
    const pixels = dataset.images.pixels;
    const loader = new DataLoader(dataset, {
      batchSize: 8,
      shuffle: { kind: "permutation" },
      inputSeed: 3,
    });
    for (const batch of await take(loader, 7)) {
      const expected = new Float32Array(batch.indices.length * 35);
      batch.indices.forEach((index, k) => {
        for (let j = 0; j < 35; j++)
          expected[k * 35 + j] = Math.fround(pixels[index * 35 + j]! / 255);
      });
      expect(Buffer.from(batch.images.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
    }
  });
});

describe("DataLoader resume", () => {
  it.each([
    ["permutation", { kind: "permutation" as const }],
    ["buffer", { kind: "buffer" as const, size: 30 }],
  ])("continues byte-identically from a saved %s state", async (_name, shuffle) => {
    const options = { ...AUGMENTED, shuffle, batchSize: 12 };
    const reference = await digests(options, 30);
    for (const stopAfter of [0, 5, 9, 17]) {
      const first = new DataLoader(memoryDataset(100), options);
      await take(first, stopAfter);
      const saved = JSON.parse(JSON.stringify(first.state()));
      const resumed = new DataLoader(memoryDataset(100), options, saved);
      const rest = (await take(resumed, 30 - stopAfter)).map(batchDigest);
      expect(rest).toEqual(reference.slice(stopAfter));
    }
  });

  it("saves the consumer's position, not the prefetcher's", async () => {
    const loader = new DataLoader(memoryDataset(100), { ...AUGMENTED, prefetch: 4 });
    await take(loader, 3);
    const unprefetched = new DataLoader(memoryDataset(100), { ...AUGMENTED, prefetch: 0 });
    await take(unprefetched, 3);
    expect(loader.state()).toEqual(unprefetched.state());
  });

  it("refuses a state saved under other settings", async () => {
    const loader = new DataLoader(memoryDataset(100), AUGMENTED);
    await take(loader, 2);
    const state = loader.state();
    expect(
      () => new DataLoader(memoryDataset(100), { ...AUGMENTED, batchSize: 32 }, state),
    ).toThrow(
      "cannot resume the input pipeline: the saved state has batch size 16, this run has 32; resume with the run's original settings",
    );
    expect(() => new DataLoader(memoryDataset(100), { ...AUGMENTED, inputSeed: 1 }, state)).toThrow(
      UserError,
    );
  });
});

describe("DataLoader record", () => {
  it("records the shuffle, the transforms and the generator seeds", () => {
    const loader = new DataLoader(memoryDataset(100), {
      ...AUGMENTED,
      shuffle: { kind: "buffer", size: 1024 },
      transforms: PIPELINES.cifarAugmentStandardize.map((step) =>
        step.op === "randomCrop" ? { ...step, height: 8, width: 8 } : step,
      ),
    });
    const record = loader.describe();
    expect(record.shuffle).toEqual({ kind: "buffer", size: 1024 });
    expect(record.transforms.map((t) => t.op)).toEqual([
      "pad",
      "randomCrop",
      "randomFlip",
      "standardize",
    ]);
    expect(record.generators.shuffle).toMatch(/^[0-9a-f]{16}$/);
    expect(record.generators.shuffle).not.toBe(record.generators.augment);
    expect(JSON.parse(JSON.stringify(record))).toEqual(record);
  });
});

/**
 * The readers of files a user hands us, fuzzed: valid NumPy, .npz, Parquet and pickle files
 * with bytes flipped, cut short or spliced, and plain random bytes. Every input must end in a
 * value or a one-line UserError naming the file, never another exception, a crash or a hang
 * (the test's time limit). fast-check's runs are seeded, so a failure replays. NNR_FUZZ_RUNS
 * sets the number of inputs per reader (default 1,000; Parquet gets a fiftieth of it, each
 * input reading in a process of its own).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { featureArray, labelArray, npyBlob } from "../../src/data/npy-dataset.js";
import { loadDatasetAsync } from "../../src/data/registry.js";
import { UserError } from "../../src/errors.js";
import { unpickle } from "../../src/io/pickle.js";
import { listZip, readZipEntry } from "../../src/io/zip.js";
import { removeTempDirs, tempDir } from "./fixtures.js";
import { pngOf, writeParquetSplit } from "./parquet-fixture.js";
import { userData } from "./user-data-fixture.js";

afterAll(removeTempDirs);

const RUNS = Number(process.env.NNR_FUZZ_RUNS ?? 1000);
const data = userData();
const tried: Record<string, number> = {};

/** A valid file, then one of: flipped bytes, a cut, a splice of random bytes, or noise. */
function mutated(seed: Uint8Array): fc.Arbitrary<Uint8Array> {
  const at = fc.nat({ max: Math.max(0, seed.length - 1) });
  return fc.oneof(
    fc
      .array(fc.tuple(at, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })
      .map((flips) => {
        const out = new Uint8Array(seed);
        for (const [i, v] of flips) out[i] = v;
        return out;
      }),
    at.map((end) => seed.slice(0, end)),
    fc.tuple(at, fc.uint8Array({ maxLength: 64 })).map(([i, noise]) => {
      const out = new Uint8Array(seed);
      out.set(noise.subarray(0, out.length - i), i);
      return out;
    }),
    fc.uint8Array({ maxLength: 512 }),
  );
}

/** Runs `read`; only a one-line UserError may escape. */
async function endsWell(name: string, read: () => unknown): Promise<void> {
  tried[name] = (tried[name] ?? 0) + 1;
  try {
    await read();
  } catch (error) {
    if (!(error instanceof UserError)) throw error;
    expect(error.message).not.toContain("\n");
  }
}

describe("fuzzed readers end in a value or a one-line error", () => {
  afterAll(() => {
    const counts = Object.entries(tried).map(([name, n]) => `${name} ${n}`);
    console.log(`readers fuzzed: ${counts.join(", ")} inputs`);
  });

  it("npy", async () => {
    const x = readFileSync(join(data.dir, "npy", "train_x.npy"));
    const y = readFileSync(join(data.dir, "npy", "train_y.npy"));
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated(x), mutated(y)), (bytes) =>
        endsWell("npy", () => {
          const blob = npyBlob(bytes, "f.npy");
          return [featureArray(blob), labelArray(blob)];
        }),
      ),
      { numRuns: RUNS, seed: 31 },
    );
  });

  it("npz (zip)", async () => {
    const npz = readFileSync(join(data.dir, "npz-deflated", "data.npz"));
    await fc.assert(
      fc.asyncProperty(mutated(npz), (bytes) =>
        endsWell("npz", () => listZip(bytes, "f.npz").map((e) => readZipEntry(bytes, "f.npz", e))),
      ),
      { numRuns: RUNS, seed: 31 },
    );
  });

  it("pickle", async () => {
    const batch = readFileSync(join(data.dir, "cifar-10-batches-py", "data_batch_1"));
    const py3 = readFileSync(join(data.dir, "cifar-100-python", "test"));
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated(batch), mutated(py3)), (bytes) =>
        endsWell("pickle", () => unpickle(bytes, "f.pkl")),
      ),
      { numRuns: RUNS, seed: 31 },
    );
  });

  it("parquet", async () => {
    const dir = tempDir("parquet-fuzz");
    const png = await pngOf(new Uint8Array(4 * 4 * 3).fill(9), 4, 4, 3);
    const images = [0, 1, 2].map(() => ({ bytes: png, path: null }));
    const [train] = writeParquetSplit(dir, "train", [
      { images, labels: [0n, 1n, 0n], classNames: ["a", "b"] },
    ]);
    writeParquetSplit(dir, "test", [{ images, labels: [1n, 0n, 1n] }]);
    const seed = readFileSync(train!);
    await fc.assert(
      fc.asyncProperty(mutated(seed), async (bytes) => {
        writeFileSync(train!, bytes);
        await endsWell("parquet", () =>
          loadDatasetAsync("parquet", { split: "train", dataDir: dir }),
        );
      }),
      // Each input starts a reader process (about a second with tsx): fewer runs.
      { numRuns: Math.max(10, Math.round(RUNS / 50)), seed: 31 },
    );
  }, 300_000);

  it("parquet: a file that aborts hyparquet's process ends in one line here", async () => {
    // Found by this fuzzer: a run length in a dictionary-index page past V8's array limit.
    const dir = tempDir("parquet-abort");
    const bad = new URL("./fixtures/parquet-aborts-hyparquet.parquet", import.meta.url).pathname;
    writeParquetSplit(dir, "train", [{ images: [], labels: [] }]);
    writeParquetSplit(dir, "test", [{ images: [], labels: [] }]);
    writeFileSync(join(dir, "data", "train-00000-of-00001.parquet"), readFileSync(bad));
    let message = "";
    try {
      await loadDatasetAsync("parquet", { split: "train", dataDir: dir });
    } catch (error) {
      expect(error).toBeInstanceOf(UserError);
      message = (error as Error).message;
    }
    expect(message).toMatch(/the Parquet reader stopped on a corrupt train file \(.*\)/);
    expect(message).not.toContain("\n");
  }, 60_000);
});

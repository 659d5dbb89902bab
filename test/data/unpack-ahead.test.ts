import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { describeFile } from "../../src/data/files.js";
import { loadDataset, wholeFilesOf } from "../../src/data/registry.js";
import { takeUnpacked, unpackAhead } from "../../src/data/unpack-ahead.js";
import { removeTempDirs, syntheticPixels, tempDir, writeIdxPair } from "./fixtures.js";

afterAll(removeTempDirs);

function writeMnist(gzip = true) {
  const dir = tempDir("unpack-ahead");
  writeIdxPair(
    dir,
    "train",
    syntheticPixels(6, 20),
    Uint8Array.from([1, 2, 3, 4, 5, 6]),
    [4, 5],
    gzip,
  );
  writeIdxPair(dir, "t10k", syntheticPixels(2, 20), Uint8Array.from([7, 8]), [4, 5], gzip);
  return dir;
}

describe("unpacking data files ahead, on a worker thread", () => {
  it("lists the four IDX files of a folder, and nothing for a missing one", () => {
    const dir = writeMnist();
    expect(wholeFilesOf("mnist", dir).map((path) => path.slice(dir.length + 1))).toEqual([
      "train-images-idx3-ubyte.gz",
      "train-labels-idx1-ubyte.gz",
      "t10k-images-idx3-ubyte.gz",
      "t10k-labels-idx1-ubyte.gz",
    ]);
    expect(wholeFilesOf("mnist", join(dir, "absent"))).toEqual([]);
    expect(wholeFilesOf("mnist", undefined)).toEqual([]);
  });

  it("hands out the bytes gunzip gives, once, and only for the same gzipped file", async () => {
    const dir = tempDir("unpack-ahead");
    const content = Buffer.from(syntheticPixels(3, 1000));
    const path = join(dir, "part.gz");
    const gzipped = gzipSync(content);
    writeFileSync(path, gzipped);
    const sha256 = describeFile(path, gzipped).sha256;

    await unpackAhead([path]);
    expect(takeUnpacked(path, "0".repeat(64))).toBeUndefined();
    await unpackAhead([path]);
    expect(takeUnpacked(path, sha256)).toEqual(content);
    expect(takeUnpacked(path, sha256)).toBeUndefined();
  });

  it("loads a dataset to the same bytes and files with the worker's help as without", async () => {
    const dir = writeMnist();
    const without = loadDataset("mnist", { split: "train", dataDir: dir });
    await unpackAhead(wholeFilesOf("mnist", dir));
    const withHelp = loadDataset("mnist", { split: "train", dataDir: dir });
    expect(withHelp.images).toEqual(without.images);
    expect(withHelp.labels).toEqual(without.labels);
    expect(withHelp.source).toEqual(without.source);
  });

  it("skips a corrupt or missing file and leaves its error to the reader", async () => {
    const dir = writeMnist();
    const images = join(dir, "train-images-idx3-ubyte.gz");
    writeFileSync(images, gzipSync(Buffer.alloc(500)).subarray(0, 20));
    await unpackAhead([images, join(dir, "missing.gz")]);
    expect(() => loadDataset("mnist", { split: "train", dataDir: dir })).toThrow(
      /train-images-idx3-ubyte\.gz: corrupt or truncated gzip data/,
    );
  });
});

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { encodeIdx } from "../../src/data/idx.js";
import { loadDataset } from "../../src/data/registry.js";
import { UserError } from "../../src/errors.js";
import { removeTempDirs, syntheticPixels, tempDir, writeIdxPair } from "./fixtures.js";

afterAll(removeTempDirs);

function writeMnist(gzip: boolean) {
  const dir = tempDir("idx");
  const train = syntheticPixels(5, 4 * 3);
  writeIdxPair(dir, "train", train, Uint8Array.from([3, 1, 4, 1, 5]), [4, 3], gzip);
  writeIdxPair(dir, "t10k", syntheticPixels(2, 12), Uint8Array.from([9, 0]), [4, 3], gzip);
  return { dir, train };
}

function loadError(dir: string): string {
  try {
    loadDataset("mnist", { split: "train", dataDir: dir });
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error("expected the load to fail");
}

describe("IDX reader", () => {
  it.each([true, false])("reads images and labels (gzip %s)", (gzip) => {
    const { dir, train } = writeMnist(gzip);
    const dataset = loadDataset("mnist", { split: "train", dataDir: dir });
    expect(dataset.length).toBe(5);
    expect(dataset.shape).toEqual({ channels: 1, height: 4, width: 3 });
    expect(Array.from(dataset.labels)).toEqual([3, 1, 4, 1, 5]);
    expect(dataset.images.kind).toBe("memory");
    if (dataset.images.kind === "memory")
      expect(Buffer.from(dataset.images.pixels)).toEqual(Buffer.from(train));
    expect(dataset.source.format).toBe("idx");
    expect(dataset.source.files[0]!.path).toMatch(/train-images-idx3-ubyte/);
    expect(dataset.source.files[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    const test = loadDataset("mnist", { split: "test", dataDir: dir });
    expect(Array.from(test.labels)).toEqual([9, 0]);
  });

  it("reports a truncated image file", () => {
    const { dir } = writeMnist(false);
    const path = join(dir, "train-images-idx3-ubyte");
    writeFileSync(path, encodeIdx([5, 4, 3], syntheticPixels(5, 12)).subarray(0, 40));
    expect(loadError(dir)).toBe(
      `${path}: truncated: header says 5×4×3 (60 bytes of data) but the file holds 24; pass --data-dir with the four MNIST IDX files (train-*, t10k-*; gzipped or not)`,
    );
  });

  it("reports a wrong magic number", () => {
    const { dir } = writeMnist(false);
    const path = join(dir, "train-labels-idx1-ubyte");
    writeFileSync(path, Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0, 0]));
    expect(loadError(dir)).toMatch(
      new RegExp(`^${path}: wrong magic number 0x504b0304: not an IDX file \\(expected 0x00000801`),
    );
  });

  it("reports a label/image count mismatch", () => {
    const { dir } = writeMnist(true);
    const path = join(dir, "train-labels-idx1-ubyte.gz");
    writeFileSync(path, encodeIdx([4], Uint8Array.from([1, 2, 3, 4]), true));
    expect(loadError(dir)).toMatch(
      /train-labels-idx1-ubyte\.gz: holds 4 labels but .*train-images-idx3-ubyte\.gz holds 5 images;/,
    );
  });

  it("reports a label outside the classes", () => {
    const { dir } = writeMnist(false);
    writeFileSync(
      join(dir, "train-labels-idx1-ubyte"),
      encodeIdx([5], Uint8Array.from([1, 2, 12, 4, 5])),
    );
    expect(loadError(dir)).toMatch(
      /train-labels-idx1-ubyte: label 12 at index 2 is outside 0\.\.9;/,
    );
  });

  it("reports corrupt gzip data", () => {
    const { dir } = writeMnist(true);
    const path = join(dir, "train-images-idx3-ubyte.gz");
    const whole = encodeIdx([5, 4, 3], syntheticPixels(5, 12), true);
    writeFileSync(path, whole.subarray(0, whole.length - 10));
    expect(loadError(dir)).toMatch(new RegExp(`^${path}: corrupt or truncated gzip data`));
  });

  it("reports a missing split and a missing folder", () => {
    const dir = tempDir("idx-empty");
    expect(loadError(dir)).toBe(
      `${dir}: missing split "train": no train-images-idx3-ubyte(.gz) in this folder; pass --data-dir with the four MNIST IDX files (train-*, t10k-*; gzipped or not)`,
    );
    expect(loadError(join(dir, "nope"))).toMatch(/nope: data folder not found;/);
  });

  it("keeps every message on one line", () => {
    const { dir } = writeMnist(false);
    writeFileSync(join(dir, "train-images-idx3-ubyte"), Buffer.from([0, 0, 8]));
    expect(loadError(dir)).not.toContain("\n");
  });
});

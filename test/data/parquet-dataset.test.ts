import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { namesInReadme } from "../../src/data/hf-class-names.js";
import { loadDatasetAsync } from "../../src/data/registry.js";
import { UserError } from "../../src/errors.js";
import { removeTempDirs, syntheticPixels, tempDir } from "./fixtures.js";
import { pngOf, writeParquetSplit } from "./parquet-fixture.js";

afterAll(removeTempDirs);

const SIDE = 6;

/** HWC pixels of image k, and the CHW bytes nnr should hold for it. */
function image(k: number, channels: 1 | 3) {
  const hwc = syntheticPixels(k + 1, SIDE * SIDE * channels).subarray(k * SIDE * SIDE * channels);
  const chw = new Uint8Array(hwc.length);
  const plane = SIDE * SIDE;
  for (let p = 0; p < plane; p++)
    for (let c = 0; c < channels; c++) chw[c * plane + p] = hwc[p * channels + c]!;
  return { hwc, chw };
}

async function imageSet(count: number, first: number, channels: 1 | 3) {
  const cells = [];
  const expected: number[] = [];
  for (let k = first; k < first + count; k++) {
    const { hwc, chw } = image(k, channels);
    cells.push({ bytes: await pngOf(hwc, SIDE, SIDE, channels), path: `${k}.png` });
    expected.push(...chw);
  }
  return { cells, expected };
}

async function failure(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error("expected the load to fail");
}

describe("Hugging Face Parquet image sets", () => {
  it("reads PNG bytes and labels across files and row groups, class names from the metadata", async () => {
    const dir = tempDir("parquet");
    const a = await imageSet(5, 0, 3);
    const b = await imageSet(3, 5, 3);
    const t = await imageSet(2, 8, 3);
    const classNames = ["cat", "dog", "emu"];
    writeParquetSplit(dir, "train", [
      { images: a.cells, labels: [0n, 1n, 2n, 0n, 1n], classNames, rowGroupSize: 2 },
      { images: b.cells, labels: [2n, 2n, 0n], classNames },
    ]);
    writeParquetSplit(dir, "test", [{ images: t.cells, labels: [1n, 0n], classNames }]);
    const train = await loadDatasetAsync("parquet", { split: "train", dataDir: dir });
    expect(train.length).toBe(8);
    expect(train.shape).toEqual({ channels: 3, height: SIDE, width: SIDE });
    expect(train.images.kind === "memory" && [...train.images.pixels]).toEqual([
      ...a.expected,
      ...b.expected,
    ]);
    expect([...train.labels]).toEqual([0, 1, 2, 0, 1, 2, 2, 0]);
    expect(train.classNames).toEqual(classNames);
    expect(train.source.format).toBe("parquet");
    expect(train.source.files).toHaveLength(2);
    expect(train.source.decoder?.name).toBe("sharp");
    const test = await loadDatasetAsync("parquet", { split: "test", dataDir: dir });
    expect(test.images.kind === "memory" && [...test.images.pixels]).toEqual(t.expected);
  });

  it("keeps grey images one channel; names classes from the README where the files do not", async () => {
    const dir = tempDir("parquet-grey");
    const a = await imageSet(2, 0, 1);
    writeParquetSplit(dir, "train", [{ images: a.cells, labels: [0n, 1n] }]);
    writeParquetSplit(dir, "test", [{ images: a.cells, labels: [1n, 0n] }]);
    writeFileSync(
      join(dir, "README.md"),
      "---\ndataset_info:\n  features:\n  - name: image\n    dtype: image\n  - name: label\n    dtype:\n      class_label:\n        names:\n          '0': zero\n          '1': one\n---\n",
    );
    const train = await loadDatasetAsync("parquet", { split: "train", dataDir: dir });
    expect(train.shape.channels).toBe(1);
    expect(train.images.kind === "memory" && [...train.images.pixels]).toEqual(a.expected);
    expect(train.classNames).toEqual(["zero", "one"]);
    expect(namesInReadme("names:\n  '0': \"a b\"\n  '1': c\nx: 1")).toEqual(["a b", "c"]);
  });

  it("refuses a file without the expected columns, naming the columns it has", async () => {
    const dir = tempDir("parquet-columns");
    const a = await imageSet(2, 0, 3);
    writeParquetSplit(dir, "train", [
      { images: a.cells, labels: [0n, 1n], imageColumn: "img_bytes", flatImages: true },
    ]);
    writeParquetSplit(dir, "test", [{ images: a.cells, labels: [0n, 1n] }]);
    expect(
      await failure(() => loadDatasetAsync("parquet", { split: "train", dataDir: dir })),
    ).toMatch(
      /train-00000-of-00001\.parquet: has no image column \(a struct of bytes and path\); its columns are img_bytes, label/,
    );
  });

  it("refuses a corrupt image, naming its file and row", async () => {
    const dir = tempDir("parquet-corrupt");
    const a = await imageSet(3, 0, 3);
    a.cells[2] = { bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]), path: "bad.png" };
    writeParquetSplit(dir, "train", [{ images: a.cells, labels: [0n, 1n, 0n] }]);
    writeParquetSplit(dir, "test", [{ images: a.cells.slice(0, 2), labels: [0n, 1n] }]);
    const message = await failure(() =>
      loadDatasetAsync("parquet", { split: "train", dataDir: dir }),
    );
    expect(message).toMatch(/train-00000-of-00001\.parquet: row 2: unreadable image/);
  });

  it("refuses images of different sizes and a folder without Parquet files", async () => {
    const dir = tempDir("parquet-sizes");
    const a = await imageSet(1, 0, 3);
    const wide = await pngOf(new Uint8Array(2 * 3 * 3), 3, 2, 3);
    writeParquetSplit(dir, "train", [
      { images: [...a.cells, { bytes: wide, path: null }], labels: [0n, 1n] },
    ]);
    writeParquetSplit(dir, "test", [{ images: a.cells, labels: [0n] }]);
    expect(
      await failure(() => loadDatasetAsync("parquet", { split: "train", dataDir: dir })),
    ).toMatch(/row 1: image is 3x2x3, the first is 6x6x3; nnr needs images of one size/);
    const empty = tempDir("parquet-empty");
    expect(
      await failure(() => loadDatasetAsync("parquet", { split: "train", dataDir: empty })),
    ).toMatch(/has no train-\*\.parquet files/);
  });
});

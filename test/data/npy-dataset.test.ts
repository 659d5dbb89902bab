import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadDataset } from "../../src/data/registry.js";
import type { Dataset } from "../../src/data/types.js";
import { UserError } from "../../src/errors.js";
import { serializeNpy } from "../../src/io/npy.js";
import { removeTempDirs, tempDir } from "./fixtures.js";
import { userData } from "./user-data-fixture.js";

afterAll(removeTempDirs);

const data = userData();
const where = data.live ? "numpy here" : "committed fixture";

function values(dataset: Dataset): number[] {
  const store = dataset.images;
  if (store.kind === "memory") return [...store.pixels];
  if (store.kind === "floats") return [...store.values];
  throw new Error("expected arrays held in memory");
}

function loadError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error("expected the load to fail");
}

describe(`NumPy arrays as a dataset (${where})`, () => {
  it("reads np.save's uint8 N×H×W×C files as channels-first bytes, labels and classes", () => {
    const dir = join(data.dir, "npy");
    const train = loadDataset("npy", { split: "train", dataDir: dir });
    const test = loadDataset("npy", { split: "test", dataDir: dir });
    expect(train.shape).toEqual({ channels: 3, height: 8, width: 8 });
    expect(values(train)).toEqual(data.arrays.train_nchw);
    expect(values(test)).toEqual(data.arrays.test_nchw);
    expect([...train.labels]).toEqual(data.arrays.train_y);
    const classes = Math.max(...data.arrays.train_y, ...data.arrays.test_y) + 1;
    expect(train.classNames).toHaveLength(classes);
    expect(test.classNames).toEqual(train.classNames);
    expect(train.valueScale).toBe(255);
    expect(train.source.format).toBe("npy");
    expect(train.source.files.map((f) => f.path.split("/").pop()).sort()).toEqual([
      "test_y.npy",
      "train_x.npy",
      "train_y.npy",
    ]);
    expect(train.source.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256))).toBe(true);
  });

  for (const kind of ["stored", "deflated"]) {
    it(`reads an .npz (${kind}) of float32 N×C×H×W arrays to the same values`, () => {
      const dir = join(data.dir, `npz-${kind}`);
      const train = loadDataset("npy", { split: "train", dataDir: dir });
      expect(train.images.kind).toBe("floats");
      expect(values(train)).toEqual(data.arrays.train_nchw);
      expect([...train.labels]).toEqual(data.arrays.train_y);
      expect(train.valueScale).toBe(1);
      expect(train.source.format).toBe("npz");
      const scaled = loadDataset("npy", {
        split: "test",
        dataDir: dir,
        dataOptions: { scale: 255, classes: 9 },
      });
      expect(scaled.valueScale).toBe(255);
      expect(scaled.classNames).toHaveLength(9);
    });
  }

  it("uses uint8 N×C×H×W bytes in place: a view of the file's buffer, not a copy", () => {
    const dir = tempDir("npy-view");
    const x = Uint8Array.from({ length: 2 * 3 * 4 * 5 }, (_, i) => i);
    writeFileSync(join(dir, "train_x.npy"), serializeNpy(x, [2, 3, 4, 5]));
    writeFileSync(join(dir, "test_x.npy"), serializeNpy(x, [2, 3, 4, 5]));
    for (const s of ["train", "test"])
      writeFileSync(join(dir, `${s}_y.npy`), serializeNpy(new Uint8Array([0, 1]), [2]));
    const train = loadDataset("npy", { split: "train", dataDir: dir });
    const store = train.images;
    if (store.kind !== "memory") throw new Error("bytes expected");
    expect(store.pixels.byteOffset).toBeGreaterThan(0);
    // A copy would own a buffer of its own length, starting at 0; a view sits past the header.
    expect(store.pixels.buffer.byteLength).toBeGreaterThan(store.pixels.length);
    expect([...store.pixels]).toEqual([...x]);
    expect(train.shape).toEqual({ channels: 3, height: 4, width: 5 });
  });

  it("reads N×D vectors and N×H×W images", () => {
    const dir = tempDir("npy-shapes");
    writeFileSync(join(dir, "train_x.npy"), serializeNpy(new Float32Array(6), [2, 3]));
    writeFileSync(join(dir, "test_x.npy"), serializeNpy(new Uint8Array(8), [2, 2, 2]));
    for (const s of ["train", "test"])
      writeFileSync(join(dir, `${s}_y.npy`), serializeNpy(new Int32Array([0, 1]), [2]));
    expect(loadDataset("npy", { split: "train", dataDir: dir }).shape).toEqual({
      channels: 1,
      height: 1,
      width: 3,
    });
    expect(loadDataset("npy", { split: "test", dataDir: dir }).shape).toEqual({
      channels: 1,
      height: 2,
      width: 2,
    });
  });
});

describe("NumPy arrays: bad input, one line each", () => {
  function folder(write: (dir: string) => void): string {
    const dir = tempDir("npy-bad");
    for (const name of ["train_x", "train_y", "test_x", "test_y"])
      copyFileSync(join(data.dir, "npy", `${name}.npy`), join(dir, `${name}.npy`));
    write(dir);
    return dir;
  }

  it("refuses features and labels of unequal lengths", () => {
    const dir = folder((d) =>
      writeFileSync(join(d, "train_y.npy"), serializeNpy(new Int32Array(11), [11])),
    );
    expect(loadError(() => loadDataset("npy", { split: "train", dataDir: dir }))).toMatch(
      /train_y\.npy: holds 11 labels but .*train_x\.npy holds 12 examples/,
    );
  });

  it("refuses a dtype it does not take and says which it takes", () => {
    const dir = folder((d) =>
      writeFileSync(join(d, "train_x.npy"), serializeNpy(new Float64Array(12 * 4), [12, 4])),
    );
    expect(loadError(() => loadDataset("npy", { split: "train", dataDir: dir }))).toMatch(
      /train_x\.npy: dtype <f8 is not one nnr takes for features: it takes uint8 \(\|u1\) or float32 \(<f4\)/,
    );
    const floatLabels = folder((d) =>
      writeFileSync(join(d, "test_y.npy"), serializeNpy(new Float32Array(5), [5])),
    );
    expect(loadError(() => loadDataset("npy", { split: "test", dataDir: floatLabels }))).toMatch(
      /test_y\.npy: dtype <f4 is not one nnr takes for labels: it takes integers/,
    );
  });

  it("refuses a truncated file, a negative label, a label past --classes and an ambiguous shape", () => {
    const truncated = folder((d) =>
      writeFileSync(
        join(d, "test_x.npy"),
        serializeNpy(new Uint8Array(5 * 192), [5, 8, 8, 3]).subarray(0, 300),
      ),
    );
    expect(loadError(() => loadDataset("npy", { split: "test", dataDir: truncated }))).toMatch(
      /test_x\.npy: not a valid \.npy file: data has .* \(truncated\?\)/,
    );
    const negative = folder((d) =>
      writeFileSync(join(d, "test_y.npy"), serializeNpy(new Int32Array([0, 1, -2, 0, 0]), [5])),
    );
    expect(loadError(() => loadDataset("npy", { split: "train", dataDir: negative }))).toMatch(
      /test_y\.npy: label -2 at row 2 is not a class index/,
    );
    expect(
      loadError(() =>
        loadDataset("npy", {
          split: "train",
          dataDir: join(data.dir, "npy"),
          dataOptions: { classes: 1 },
        }),
      ),
    ).toMatch(/outside 0\.\.0 \(--classes 1\)/);
    const square = folder((d) =>
      writeFileSync(join(d, "train_x.npy"), serializeNpy(new Uint8Array(12 * 27), [12, 3, 3, 3])),
    );
    expect(loadError(() => loadDataset("npy", { split: "train", dataDir: square }))).toMatch(
      /could be N×C×H×W or N×H×W×C; pass --layout nchw or --layout nhwc/,
    );
    expect(
      loadDataset("npy", { split: "train", dataDir: square, dataOptions: { layout: "nhwc" } }).shape
        .channels,
    ).toBe(3);
  });

  it("refuses a folder without arrays, and a corrupt .npz", () => {
    const empty = tempDir("npy-empty");
    expect(loadError(() => loadDataset("npy", { split: "train", dataDir: empty }))).toMatch(
      /holds neither train_x\.npy … test_y\.npy nor a \.npz file/,
    );
    const corrupt = tempDir("npz-corrupt");
    mkdirSync(corrupt, { recursive: true });
    writeFileSync(join(corrupt, "data.npz"), new Uint8Array(100).fill(7));
    expect(loadError(() => loadDataset("npy", { split: "train", dataDir: corrupt }))).toMatch(
      /data\.npz: not a valid \.npz \(zip\) file: no end-of-central-directory record/,
    );
  });
});

import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CIFAR100_COARSE_CLASSES, CIFAR100_FINE_CLASSES } from "../../src/data/class-names.js";
import { loadDataset } from "../../src/data/registry.js";
import { UserError } from "../../src/errors.js";
import {
  cifar10Records,
  cifar100Records,
  removeTempDirs,
  syntheticPixels,
  tempDir,
} from "./fixtures.js";

afterAll(removeTempDirs);

/** Two records per training file, three in the test file, inside the archive's own folder. */
function writeCifar10() {
  const root = tempDir("cifar10");
  const dir = join(root, "cifar-10-batches-bin");
  mkdirSync(dir);
  const pixels = syntheticPixels(13, 3072);
  const labels = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 9, 8, 7];
  for (let k = 1; k <= 5; k++) {
    const first = (k - 1) * 2;
    writeFileSync(
      join(dir, `data_batch_${k}.bin`),
      cifar10Records(
        labels.slice(first, first + 2),
        pixels.subarray(first * 3072, (first + 2) * 3072),
      ),
    );
  }
  writeFileSync(
    join(dir, "test_batch.bin"),
    cifar10Records(labels.slice(10), pixels.subarray(10 * 3072)),
  );
  return { root, dir, pixels, labels };
}

function loadError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error("expected the load to fail");
}

describe("CIFAR-10 binary reader", () => {
  it("concatenates the five training files in order, pixels channels-first", () => {
    const { root, pixels, labels } = writeCifar10();
    const train = loadDataset("cifar10", { split: "train", dataDir: root });
    expect(train.length).toBe(10);
    expect(train.shape).toEqual({ channels: 3, height: 32, width: 32 });
    expect(Array.from(train.labels)).toEqual(labels.slice(0, 10));
    if (train.images.kind !== "memory") throw new Error("CIFAR is held in memory");
    expect(Buffer.from(train.images.pixels)).toEqual(Buffer.from(pixels.subarray(0, 10 * 3072)));
    // Example 7, green plane (offset 1024), row 2, column 5.
    expect(train.images.pixels[7 * 3072 + 1024 + 2 * 32 + 5]).toBe(
      (7 * 31 + (1024 + 69) * 7) % 256,
    );
    expect(train.classNames[0]).toBe("airplane");
    expect(train.source.files.map((f) => f.path.split("/").pop())).toEqual([
      "data_batch_1.bin",
      "data_batch_2.bin",
      "data_batch_3.bin",
      "data_batch_4.bin",
      "data_batch_5.bin",
    ]);
    const test = loadDataset("cifar10", { split: "test", dataDir: root });
    expect(Array.from(test.labels)).toEqual([9, 8, 7]);
  });

  it("reports a truncated file", () => {
    const { dir } = writeCifar10();
    const path = join(dir, "data_batch_3.bin");
    writeFileSync(path, Buffer.alloc(3073 + 100));
    expect(loadError(() => loadDataset("cifar10", { split: "train", dataDir: dir }))).toMatch(
      new RegExp(
        `^${path}: truncated or not a CIFAR binary file: 3173 bytes is not a whole number of 3073-byte records \\(1 whole records\\); pass --data-dir`,
      ),
    );
  });

  it("reports a missing split", () => {
    const { dir } = writeCifar10();
    writeFileSync(join(dir, "data_batch_5.bin"), "");
    const missing = join(dir, "test_batch.bin");
    writeFileSync(missing, Buffer.alloc(3073));
    expect(loadError(() => loadDataset("cifar10", { split: "train", dataDir: dir }))).toMatch(
      /data_batch_5\.bin: truncated/,
    );
    const empty = tempDir("cifar10-empty");
    expect(loadError(() => loadDataset("cifar10", { split: "test", dataDir: empty }))).toBe(
      `${join(empty, "test_batch.bin")}: missing split "test": file not found; pass --data-dir with the CIFAR-10 binary version (data_batch_1.bin … data_batch_5.bin, test_batch.bin)`,
    );
  });

  it("reports a label outside 0..9", () => {
    const { dir } = writeCifar10();
    writeFileSync(join(dir, "test_batch.bin"), cifar10Records([3, 10], syntheticPixels(2, 3072)));
    expect(loadError(() => loadDataset("cifar10", { split: "test", dataDir: dir }))).toMatch(
      /test_batch\.bin: class label 10 in record 1 is outside 0\.\.9;/,
    );
  });
});

describe("CIFAR-100 binary reader", () => {
  function writeCifar100() {
    const dir = tempDir("cifar100");
    const pixels = syntheticPixels(3, 3072);
    writeFileSync(join(dir, "train.bin"), cifar100Records([19, 0, 7], [99, 4, 50], pixels));
    writeFileSync(join(dir, "test.bin"), cifar100Records([1], [2], pixels.subarray(0, 3072)));
    return { dir, pixels };
  }

  it("reads fine labels by default and coarse labels on request", () => {
    const { dir, pixels } = writeCifar100();
    const fine = loadDataset("cifar100", { split: "train", dataDir: dir });
    expect(Array.from(fine.labels)).toEqual([99, 4, 50]);
    expect(fine.classNames).toEqual(CIFAR100_FINE_CLASSES);
    expect(fine.classNames[99]).toBe("worm");
    if (fine.images.kind !== "memory") throw new Error("CIFAR is held in memory");
    expect(Buffer.from(fine.images.pixels)).toEqual(Buffer.from(pixels));
    const coarse = loadDataset("cifar100", {
      split: "train",
      dataDir: dir,
      cifar100Labels: "coarse",
    });
    expect(Array.from(coarse.labels)).toEqual([19, 0, 7]);
    expect(coarse.classNames).toEqual(CIFAR100_COARSE_CLASSES);
    expect(CIFAR100_FINE_CLASSES).toHaveLength(100);
    expect(CIFAR100_COARSE_CLASSES).toHaveLength(20);
  });

  it("takes class names from the archive's names file", () => {
    const { dir } = writeCifar100();
    const names = Array.from({ length: 20 }, (_, i) => `super_${i}`);
    writeFileSync(join(dir, "coarse_label_names.txt"), `${names.join("\n")}\n\n`);
    const coarse = loadDataset("cifar100", {
      split: "test",
      dataDir: dir,
      cifar100Labels: "coarse",
    });
    expect(coarse.classNames).toEqual(names);
  });

  it("reports a coarse label out of range and a truncated file", () => {
    const { dir, pixels } = writeCifar100();
    writeFileSync(join(dir, "test.bin"), cifar100Records([20], [5], pixels));
    expect(loadError(() => loadDataset("cifar100", { split: "test", dataDir: dir }))).toMatch(
      /test\.bin: coarse label 20 in record 0 is outside 0\.\.19;/,
    );
    writeFileSync(join(dir, "train.bin"), Buffer.alloc(3074 * 2 - 1));
    expect(loadError(() => loadDataset("cifar100", { split: "train", dataDir: dir }))).toMatch(
      /train\.bin: truncated or not a CIFAR binary file: 6147 bytes is not a whole number of 3074-byte records/,
    );
  });
});

import { createHash } from "node:crypto";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FASHION_MNIST_CLASSES } from "../../src/data/class-names.js";
import { exists } from "../../src/data/files.js";
import {
  FASHION_MNIST_SUBSET_DIR,
  loadDataset,
  resolveFashionMnistDir,
  SYSTEM_FASHION_MNIST_DIR,
} from "../../src/data/registry.js";

const installed = exists(join(SYSTEM_FASHION_MNIST_DIR, "train-images-idx3-ubyte.gz"));
if (!installed) {
  console.warn(
    `skipping the real Fashion-MNIST tests: ${SYSTEM_FASHION_MNIST_DIR} not found (install Debian's dataset-fashion-mnist)`,
  );
}

function pixels(dataset: ReturnType<typeof loadDataset>): Uint8Array {
  if (dataset.images.kind !== "memory") throw new Error("Fashion-MNIST is held in memory");
  return dataset.images.pixels;
}

describe.skipIf(!installed)("real Fashion-MNIST (Debian dataset-fashion-mnist)", () => {
  it("is the default with no flags: 60,000 + 10,000 images of 28×28, 10 balanced classes", () => {
    const notices: string[] = [];
    const train = loadDataset("fashion-mnist", { split: "train", notify: (m) => notices.push(m) });
    const test = loadDataset("fashion-mnist", { split: "test" });
    expect(notices).toEqual([]);
    expect(train.source.root).toBe(SYSTEM_FASHION_MNIST_DIR);
    expect([train.length, test.length]).toEqual([60000, 10000]);
    expect(train.shape).toEqual({ channels: 1, height: 28, width: 28 });
    expect(train.classNames).toEqual(FASHION_MNIST_CLASSES);
    for (const dataset of [train, test]) {
      const counts = new Array(10).fill(0);
      for (const label of dataset.labels) counts[label]++;
      expect(counts).toEqual(new Array(10).fill(dataset.length / 10));
    }
    // The first training example is an ankle boot (label 9); the first test example too.
    expect([train.labels[0], test.labels[0]]).toEqual([9, 9]);
  });

  it("matches the committed subset's examples", () => {
    const full = loadDataset("fashion-mnist", { split: "train" });
    const subset = loadDataset("fashion-mnist", {
      split: "train",
      dataDir: FASHION_MNIST_SUBSET_DIR,
    });
    expect(subset.length).toBe(2000);
    const digest = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");
    expect(digest(pixels(subset))).toBe(digest(pixels(full).subarray(0, 2000 * 784)));
    expect(Array.from(subset.labels)).toEqual(Array.from(full.labels.subarray(0, 2000)));
  });
});

describe("Fashion-MNIST fallback", () => {
  it("falls back to the committed subset with a notice when the system folder is absent", () => {
    const notices: string[] = [];
    const resolved = resolveFashionMnistDir(
      undefined,
      (m) => notices.push(m),
      "/nonexistent/fashion-mnist",
    );
    expect(resolved).toEqual({ dir: FASHION_MNIST_SUBSET_DIR, subset: true });
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(
      /^nnr: Fashion-MNIST not found at \/nonexistent\/fashion-mnist; using the committed subset/,
    );
  });

  it("reads the committed subset: 2,000 train and 1,000 test examples", () => {
    const train = loadDataset("fashion-mnist", {
      split: "train",
      dataDir: FASHION_MNIST_SUBSET_DIR,
    });
    const test = loadDataset("fashion-mnist", { split: "test", dataDir: FASHION_MNIST_SUBSET_DIR });
    expect([train.length, test.length]).toEqual([2000, 1000]);
    expect(train.labels[0]).toBe(9);
  });
});

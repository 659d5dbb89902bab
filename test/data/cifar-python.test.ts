import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDataset } from "../../src/data/registry.js";
import type { Dataset } from "../../src/data/types.js";
import { userData } from "./user-data-fixture.js";

const data = userData();
const where = data.live ? "written here by Python" : "committed fixture";

/** Everything but where the data came from. */
function content(dataset: Dataset) {
  const { source, ...rest } = dataset;
  return { ...rest, labels: [...dataset.labels], format: source.format };
}

describe(`torchvision's CIFAR python folders equal the binary version byte for byte (${where})`, () => {
  for (const split of ["train", "test"] as const) {
    it(`CIFAR-10 ${split}: Python 2's cPickle batches`, () => {
      const python = loadDataset("cifar10", {
        split,
        dataDir: join(data.dir, "cifar-10-batches-py"),
      });
      const binary = loadDataset("cifar10", {
        split,
        dataDir: join(data.dir, "cifar-10-batches-bin"),
      });
      expect(python.source.format).toBe("cifar10-python");
      expect(binary.source.format).toBe("cifar10-binary");
      expect({ ...content(python), format: "" }).toEqual({ ...content(binary), format: "" });
      expect(python.length).toBe(split === "train" ? 5 : 2);
    });

    for (const labels of ["fine", "coarse"] as const) {
      it(`CIFAR-100 ${split}, ${labels} labels: Python 3's pickle at protocol 2`, () => {
        const options = { split, cifar100Labels: labels };
        const python = loadDataset("cifar100", {
          ...options,
          dataDir: join(data.dir, "cifar-100-python"),
        });
        const binary = loadDataset("cifar100", {
          ...options,
          dataDir: join(data.dir, "cifar-100-binary"),
        });
        expect(python.source.format).toBe("cifar100-python");
        expect({ ...content(python), format: "" }).toEqual({ ...content(binary), format: "" });
      });
    }
  }

  it("finds the folder inside the folder given (the download's parent)", () => {
    const train = loadDataset("cifar10", { split: "test", dataDir: data.dir });
    expect(train.source.format).toBe("cifar10-binary");
    expect(train.source.root).toBe(join(data.dir, "cifar-10-batches-bin"));
  });
});

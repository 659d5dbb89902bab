/**
 * SmallCNN trained on a loaded dataset step by step as `nnr train` steps it: SmallCNN's
 * loader (buffer shuffle of 1,024, scale, batch 128), the batch copied to tensors by the
 * run's own code, Adam (lr 4e-4, eps 1e-7), cross-entropy; every seed fixed. Two trainers
 * over the same examples from two formats take the same steps: bench/npy-step-time.ts times
 * them, test/data/npy-idx-steps.test.ts checks their weights are the same bits.
 */
import { DataLoader } from "../src/data/loader.js";
import { PIPELINES } from "../src/data/registry.js";
import type { Dataset } from "../src/data/types.js";
import { Generator, tidy } from "../src/engine/index.js";
import { Adam, categoricalCrossEntropy, createModel } from "../src/nn/index.js";
import { batchTensors } from "../src/train/batches.js";
import { stateDictSha256 } from "../src/train/weights-hash.js";

export interface FormatTrainer {
  /** Takes the next batch from the loader and one training step on it. */
  step(): Promise<void>;
  /** SHA-256 of the weights (stateDictSha256, as run.json's weightsSha256). */
  weightsSha256(): string;
  dispose(): void;
}

export function smallCnnTrainer(dataset: Dataset, batchSize = 128): FormatTrainer {
  const { channels, height, width } = dataset.shape;
  const loader = new DataLoader(dataset, {
    batchSize,
    inputSeed: 0,
    shuffle: { kind: "buffer", size: 1024 },
    transforms: PIPELINES.scale,
  });
  const network = createModel("smallcnn", {
    generator: new Generator(0, "init"),
    memoryFormat: "contiguous",
    classes: dataset.classNames.length,
    inputShape: [channels, height, width],
  }).train();
  const optimizer = new Adam(network.parameters(), { lr: 4e-4, eps: 1e-7 });
  return {
    async step() {
      const batch = await loader.next();
      tidy(() => {
        const { images, labels } = batchTensors(batch, false, "cpu");
        optimizer.zeroGrad();
        categoricalCrossEntropy(network.forward(images), labels).backward();
        optimizer.step();
      });
    },
    weightsSha256: () => stateDictSha256(network.stateDict()),
    dispose() {
      optimizer.dispose();
      network.dispose();
    },
  };
}

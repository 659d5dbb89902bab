/**
 * A few Adam steps of SmallCNN on random data from one seed, deterministic kernels; returns the
 * SHA-256 of the final weights. Run directly (`tsx tiny-training.ts SEED THREADS`) it prints it.
 */
import { fileURLToPath } from "node:url";
import { configureDeterminism, Generator, randint, randn, tidy } from "../../src/engine/index.js";
import { categoricalCrossEntropy } from "../../src/nn/losses.js";
import { createModel } from "../../src/nn/models/index.js";
import { Adam } from "../../src/nn/optim/index.js";
import { stateDictSha256 } from "../../src/train/weights-hash.js";

export function trainTinyCnn(seed: number, threads: number): string {
  configureDeterminism({ deterministic: true, threads });
  const generator = new Generator(seed, "init");
  const model = createModel("smallcnn", {
    generator,
    classes: 10,
    inputShape: [3, 32, 32],
    batchNorm: true,
  });
  const optimizer = new Adam(model.parameters(), { lr: 1e-3 });
  for (let step = 0; step < 5; step++) {
    tidy(() => {
      const images = randn([16, 3, 32, 32], generator);
      const labels = randint(0, 10, [16], generator);
      categoricalCrossEntropy(model.forward(images), labels).backward();
    });
    optimizer.step();
    optimizer.zeroGrad();
  }
  const hash = tidy(() => stateDictSha256(model.stateDict()));
  optimizer.dispose();
  model.dispose();
  return hash;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(trainTinyCnn(Number(process.argv[2]), Number(process.argv[3])));
}

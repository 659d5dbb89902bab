/**
 * The training step the engine benchmarks time: SmallCNN on a random Fashion-MNIST-shaped
 * batch (1×28×28, 10 classes), Adam (lr 4e-4, eps 1e-7), cross-entropy, every seed fixed.
 */
import { Generator, rand, randint, type Tensor, tidy } from "../src/engine/index.js";
import {
  Adam,
  categoricalCrossEntropy,
  createModel,
  type Model,
  type ModelMemoryFormat,
} from "../src/nn/index.js";

export interface SmallCnnTraining {
  network: Model;
  optimizer: Adam;
  /** Forward, loss and backward on the fixed batch, outside any scope. */
  backward(): void;
  /** zeroGrad, backward, Adam's step, in a scope. */
  step(): void;
  /** The parameters' values, for comparing two trainings bit for bit. */
  weights(): Float32Array[];
  dispose(): void;
}

/** The fixed batch: images in [0, 1) and labels, from the generator named `input`, seed 0. */
export function fashionBatch(batch: number): { x: Tensor; y: Tensor } {
  const data = new Generator(0, "input");
  const x = rand([batch, 1, 28, 28], data);
  const y = randint(0, 10, [batch], data);
  return { x, y };
}

export function smallCnnOnFashionShapes(
  memoryFormat: ModelMemoryFormat,
  batch = 128,
): SmallCnnTraining {
  const network = createModel("smallcnn", {
    generator: new Generator(0, "init"),
    memoryFormat,
    classes: 10,
    inputShape: [1, 28, 28],
  }).train();
  const optimizer = new Adam(network.parameters(), { lr: 4e-4, eps: 1e-7 });
  const { x, y } = fashionBatch(batch);
  const backward = () => categoricalCrossEntropy(network.forward(x), y).backward();
  return {
    network,
    optimizer,
    backward,
    step: () =>
      tidy(() => {
        optimizer.zeroGrad();
        backward();
        optimizer.step();
      }),
    weights: () =>
      network
        .parameters()
        .map((p: Tensor) => tidy(() => p.contiguous().dataSync() as Float32Array)),
    dispose: () => {
      for (const t of [x, y]) t.dispose();
      optimizer.dispose();
      network.dispose();
    },
  };
}

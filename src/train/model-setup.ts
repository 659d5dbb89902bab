/** Model, optimizer and learning-rate schedule from a run config. */

import type { ImageShape } from "../data/types.js";
import { type Generator, noGrad, rand, tensor } from "../engine/index.js";
import { createModel, type Model } from "../nn/models/index.js";
import { Adam, type Optimizer, SGD } from "../nn/optim/index.js";
import {
  celebaSchedule,
  constantSchedule,
  type LrSchedule,
  linearDecaySchedule,
  resnet18CifarSchedule,
  resnet50ImagenetSchedule,
  smallCnnSchedule,
} from "../nn/schedules.js";
import type { RunConfig } from "./config.js";
import { isOnnxModelPath } from "./imported-model.js";
import { buildOnnxModel } from "./onnx-model.js";

/**
 * The run's model: weights from the init source's generator, dropout masks from the dropout
 * source's (null for a zoo run recorded before dropout was a source: it drew none).
 */
export function buildModel(
  config: RunConfig,
  inputShape: ImageShape,
  classes: number,
  init: Generator,
  dropout: Generator | null = null,
): Model {
  if (isOnnxModelPath(config.model)) {
    if (dropout === null) throw new Error("an imported model needs the dropout generator");
    return buildOnnxModel(config, inputShape, classes, { init, dropout });
  }
  return createModel(config.model, {
    generator: init,
    ...(dropout === null ? {} : { dropoutGenerator: dropout, ...ZOO_DROPOUT_RATES }),
    classes,
    inputShape: [inputShape.channels, inputShape.height, inputShape.width],
    memoryFormat: config.memoryFormat,
    // A recorded config without it is from before it (replays and resumes read run.json as is).
    layoutStrides: config.layoutStrides ?? "kept",
    batchNorm: config.batchNorm,
    ...(config.batchNormMomentum == null ? {} : { batchNormMomentum: config.batchNormMomentum }),
    head: config.head,
    ...(config.kernelSize === null ? {} : { kernelSize: config.kernelSize }),
  });
}

/**
 * The zoo's recipes train without dropout (VGG's, MobileNet's and EfficientNetB0's rates stay
 * 0, as before dropout was a source; EfficientNetB0 would otherwise take Keras's 0.2 once it
 * has a generator): a rate set here draws its masks from the dropout source's generator.
 */
const ZOO_DROPOUT_RATES = { dropout: 0, dropConnect: 0 } as const;

/** Keras's Adam epsilon (1e-7), as the original used, rather than PyTorch's 1e-8. */
const KERAS_ADAM_EPSILON = 1e-7;

export function buildOptimizer(config: RunConfig, model: Model): Optimizer {
  const { name, lr, momentum, nesterov, weightDecay } = config.optimizer;
  if (name === "adam")
    return new Adam(model.parameters(), { lr, eps: KERAS_ADAM_EPSILON, weightDecay });
  return new SGD(model.parameters(), { lr, momentum, nesterov, weightDecay });
}

export function buildSchedule(config: RunConfig, stepsPerEpoch: number): LrSchedule {
  const lr = config.optimizer.lr;
  switch (config.schedule) {
    case "constant":
      return constantSchedule(lr);
    case "linear-decay":
      return linearDecaySchedule(lr, config.epochs * stepsPerEpoch);
    case "smallcnn":
      return smallCnnSchedule(lr);
    case "resnet18-cifar":
      return resnet18CifarSchedule(lr);
    case "celeba":
      return celebaSchedule(lr);
    case "resnet50-imagenet":
      // The recipe's lr (0.1) is the rate per 256 examples, as in Model Garden: --lr sets it.
      return resnet50ImagenetSchedule(config.batchSize, stepsPerEpoch, lr);
  }
}

/**
 * Flips the least significant bit of one initial weight, chosen by the init generator: the
 * smallest possible change (Summers & Dinneen 2021). Returns which weight changed.
 */
export function perturbOneWeight(
  model: Model,
  init: Generator,
): { parameter: string; index: number } {
  const named = [...model.namedParameters()];
  const sizes = named.map(([, p]) => p.size);
  const total = sizes.reduce((a, b) => a + b, 0);
  const pick = Math.floor(randomUnit(init) * total);
  let offset = pick;
  let k = 0;
  while (offset >= sizes[k]!) offset -= sizes[k++]!;
  const [name, parameter] = named[k]!;
  noGrad(() => {
    const flat = parameter.detach().contiguous().reshape([-1]);
    const values = flat.dataSync() as Float32Array;
    const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
    bits[offset]! ^= 1;
    const changed = tensor(values, parameter.shape);
    parameter.copy_(changed);
    flat.dispose();
    changed.dispose();
  });
  return { parameter: name, index: offset };
}

function randomUnit(generator: Generator): number {
  const draw = rand([1], generator, { dtype: "float64" });
  const value = draw.item();
  draw.dispose();
  return value;
}

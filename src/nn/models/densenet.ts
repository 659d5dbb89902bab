/**
 * DenseNet121 and DenseNet201 as Keras applications builds them, named as torchvision's
 * (features.conv0, features.denseblock1.denselayer1.norm1, …, classifier): Conv 7×7/2 64 →
 * BN → ReLU → MaxPool 3×3/2 (padded 1); dense blocks of 6, 12, 24, 16 (201: 6, 12, 48, 32)
 * layers with growth 32, each BN → ReLU → Conv 1×1 128 → BN → ReLU → Conv 3×3 32, its output
 * concatenated to its input; transitions BN → ReLU → Conv 1×1 (half the channels) → AvgPool
 * 2×2; BN → ReLU → GAP → Dense. Convs without bias, Glorot uniform; BatchNorm with Keras's
 * momentum and DenseNet's eps 1.001e-5. Trainable parameters: 7,978,856 / 20,013,928 (as
 * torchvision's); with the moving statistics, Keras's 8,062,504 / 20,242,984.
 */
import { cat, F, type Generator, type Tensor } from "../../engine/index.js";
import { BatchNorm2d, type BatchNormConfig, Conv2d, Linear } from "../layers/index.js";
import { Module } from "../module.js";
import { Model, type ModelOptions, resolveSpec, type ZooModel } from "./model.js";

const BATCH_NORM: BatchNormConfig = { momentum: 0.01, eps: 1.001e-5 };
const GROWTH = 32;

const BLOCKS = {
  densenet121: [6, 12, 24, 16],
  densenet201: [6, 12, 48, 32],
} as const;

export type DenseNetName = keyof typeof BLOCKS;

function conv(inChannels: number, outChannels: number, kernel: number, generator: Generator) {
  const padding = kernel === 1 ? 0 : "same";
  return new Conv2d({
    inChannels,
    outChannels,
    kernelSize: kernel,
    padding,
    bias: false,
    generator,
  });
}

/** BN → ReLU → Conv 1×1 (4·growth) → BN → ReLU → Conv 3×3 (growth); input ⧺ output. */
class DenseLayer extends Module {
  readonly #norm1: BatchNorm2d;
  readonly #conv1: Conv2d;
  readonly #norm2: BatchNorm2d;
  readonly #conv2: Conv2d;

  constructor(inChannels: number, generator: Generator) {
    super();
    this.#norm1 = this.registerModule("norm1", new BatchNorm2d(inChannels, BATCH_NORM));
    this.#conv1 = this.registerModule("conv1", conv(inChannels, 4 * GROWTH, 1, generator));
    this.#norm2 = this.registerModule("norm2", new BatchNorm2d(4 * GROWTH, BATCH_NORM));
    this.#conv2 = this.registerModule("conv2", conv(4 * GROWTH, GROWTH, 3, generator));
  }

  forward(input: Tensor): Tensor {
    const bottleneck = this.#conv1.forward(this.#norm1.forward(input).relu());
    const fresh = this.#conv2.forward(this.#norm2.forward(bottleneck).relu());
    return cat([input, fresh], 1);
  }
}

/** BN → ReLU → Conv 1×1 → AvgPool 2×2. */
class Transition extends Module {
  readonly #norm: BatchNorm2d;
  readonly #conv: Conv2d;

  constructor(inChannels: number, outChannels: number, generator: Generator) {
    super();
    this.#norm = this.registerModule("norm", new BatchNorm2d(inChannels, BATCH_NORM));
    this.#conv = this.registerModule("conv", conv(inChannels, outChannels, 1, generator));
  }

  forward(input: Tensor): Tensor {
    return F.avgPool2d(this.#conv.forward(this.#norm.forward(input).relu()), 2);
  }
}

class DenseBlock extends Module {
  readonly #layers: DenseLayer[] = [];
  readonly outChannels: number;

  constructor(layers: number, inChannels: number, generator: Generator) {
    super();
    let channels = inChannels;
    for (let l = 0; l < layers; l++) {
      const layer = new DenseLayer(channels, generator);
      this.#layers.push(this.registerModule(`denselayer${l + 1}`, layer));
      channels += GROWTH;
    }
    this.outChannels = channels;
  }

  forward(input: Tensor): Tensor {
    let x = input;
    for (const layer of this.#layers) x = layer.forward(x);
    return x;
  }
}

/** The stem, dense blocks, transitions and final BN → ReLU, as torchvision's `features`. */
class Features extends Module {
  readonly #conv0: Conv2d;
  readonly #norm0: BatchNorm2d;
  readonly #stages: (DenseBlock | Transition)[] = [];
  readonly #norm5: BatchNorm2d;
  readonly channels: number;

  constructor(name: DenseNetName, inChannels: number, generator: Generator) {
    super();
    this.#conv0 = this.registerModule(
      "conv0",
      new Conv2d({
        inChannels,
        outChannels: 64,
        kernelSize: 7,
        stride: 2,
        padding: 3,
        bias: false,
        generator,
      }),
    );
    this.#norm0 = this.registerModule("norm0", new BatchNorm2d(64, BATCH_NORM));
    let channels = 64;
    const blocks = BLOCKS[name];
    blocks.forEach((layers, i) => {
      const block = new DenseBlock(layers, channels, generator);
      this.#stages.push(this.registerModule(`denseblock${i + 1}`, block));
      channels = block.outChannels;
      if (i < blocks.length - 1) {
        const transition = new Transition(channels, channels / 2, generator);
        this.#stages.push(this.registerModule(`transition${i + 1}`, transition));
        channels /= 2;
      }
    });
    this.#norm5 = this.registerModule("norm5", new BatchNorm2d(channels, BATCH_NORM));
    this.channels = channels;
  }

  forward(input: Tensor): Tensor {
    let x = this.#norm0.forward(this.#conv0.forward(input)).relu();
    // Keras pads with zeros before this pool; after a ReLU that equals PyTorch's −∞ padding.
    x = F.maxPool2d(x, 3, { stride: 2, padding: 1 });
    for (const stage of this.#stages) x = stage.forward(x);
    return this.#norm5.forward(x).relu();
  }
}

export class DenseNet extends Model {
  readonly name: DenseNetName;
  readonly #features: Features;
  readonly #classifier: Linear;

  constructor(name: DenseNetName, options: ModelOptions) {
    super(resolveSpec(options, { classes: 1000, inputShape: [3, 224, 224] }));
    this.name = name;
    const { generator } = options;
    this.#features = this.registerModule(
      "features",
      new Features(name, this.inputShape[0], generator),
    );
    this.#classifier = this.registerModule(
      "classifier",
      new Linear({ inFeatures: this.#features.channels, outFeatures: this.classes, generator }),
    );
  }

  protected logits(input: Tensor): Tensor {
    return this.#classifier.forward(this.#features.forward(input).mean([2, 3]));
  }
}

const denseNet = (name: DenseNetName, displayName: string, overheadOrder: number): ZooModel => ({
  descriptor: {
    name,
    displayName,
    description: `${displayName} (Keras applications, torchvision names)`,
    options: {},
    input: {},
    overhead: { order: overheadOrder },
  },
  create: (options) => new DenseNet(name, options),
});

export const DENSENET121_MODEL = denseNet("densenet121", "DenseNet121", 5);
export const DENSENET201_MODEL = denseNet("densenet201", "DenseNet201", 6);

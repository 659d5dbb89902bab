/**
 * MediumCNN(k), the overhead study's model: six blocks of Conv k×k "same" (16, 32, 64, 128,
 * 256, 512 filters, with bias) → BatchNorm (Keras's defaults) → ReLU → MaxPool 2×2; global
 * average pool → Dense 1000. Glorot-uniform kernels. Input 224×224×3.
 */
import { checkInputSize } from "../../contract/model-descriptor.js";
import type { Tensor } from "../../engine/index.js";
import { BatchNorm2d, Conv2d, KERAS_BATCH_NORM, Linear } from "../layers/index.js";
import { Model, type ModelOptions, resolveSpec, type ZooModel } from "./model.js";
import { adam, KERAS_SMALLCNN_RECIPE } from "./recipes.js";
import { reluOfMaxPool } from "./relu-pool.js";

const FILTERS = [16, 32, 64, 128, 256, 512] as const;

export class MediumCNN extends Model {
  readonly name = "mediumcnn";
  readonly kernelSize: number;
  readonly #convs: Conv2d[] = [];
  readonly #norms: BatchNorm2d[] = [];
  readonly #fc: Linear;

  constructor(options: ModelOptions) {
    super(resolveSpec(options, { classes: 1000, inputShape: [3, 224, 224] }));
    this.kernelSize = options.kernelSize ?? 3;
    if (!Number.isInteger(this.kernelSize) || this.kernelSize < 1) {
      throw new RangeError(
        `mediumcnn: kernelSize must be a positive integer, got ${this.kernelSize}`,
      );
    }
    const [, height, width] = this.inputShape;
    checkInputSize(MEDIUMCNN_MODEL.descriptor, height, width);
    const { generator } = options;
    let inChannels = this.inputShape[0];
    FILTERS.forEach((outChannels, i) => {
      const conv = new Conv2d({
        inChannels,
        outChannels,
        kernelSize: this.kernelSize,
        padding: "same",
        generator,
      });
      this.#convs.push(this.registerModule(`conv${i + 1}`, conv));
      this.#norms.push(
        this.registerModule(`bn${i + 1}`, new BatchNorm2d(outChannels, KERAS_BATCH_NORM)),
      );
      inChannels = outChannels;
    });
    this.#fc = this.registerModule(
      "fc",
      new Linear({ inFeatures: inChannels, outFeatures: this.classes, generator }),
    );
  }

  protected logits(input: Tensor): Tensor {
    let x = input;
    this.#convs.forEach((conv, i) => {
      x = reluOfMaxPool(this.#norms[i]!.forward(conv.forward(x)));
    });
    return this.#fc.forward(x.mean([2, 3]));
  }
}

export const MEDIUMCNN_MODEL: ZooModel = {
  descriptor: {
    name: "mediumcnn",
    displayName: "MediumCNN",
    description: "MediumCNN(k): 6 conv k×k blocks with BatchNorm, GAP, Dense 1000",
    options: { kernelSize: { default: 3 } },
    recipe: {
      default: {
        ...KERAS_SMALLCNN_RECIPE,
        epochs: 10,
        optimizer: adam(1e-3),
        schedule: "constant",
      },
    },
    // Each block halves the image, flooring.
    input: { minSize: 2 ** FILTERS.length },
    overhead: { order: 0, kernelSizes: [1, 3, 5, 7] },
  },
  create: (options) => new MediumCNN(options),
};

/**
 * MediumCNN(k), the overhead study's model: six blocks of Conv k×k "same" (16, 32, 64, 128,
 * 256, 512 filters, with bias) → BatchNorm (Keras's defaults) → ReLU → MaxPool 2×2; global
 * average pool → Dense 1000. Glorot-uniform kernels. Input 224×224×3.
 */
import type { Tensor } from "../../engine/index.js";
import { BatchNorm2d, Conv2d, KERAS_BATCH_NORM, Linear } from "../layers/index.js";
import { Model, type ModelOptions, resolveSpec } from "./model.js";
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
    const smallest = 2 ** FILTERS.length; // each block halves the image, flooring
    if (height < smallest || width < smallest) {
      throw new Error(
        `mediumcnn: input ${height}×${width} is too small (needs ≥ ${smallest}×${smallest})`,
      );
    }
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

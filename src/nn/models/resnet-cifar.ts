/**
 * ResNet18, the CIFAR variant of the original: stem Conv 3×3/64 stride 1 → BN → ReLU (no
 * max-pool); four stages of two basic blocks (64, 128, 256, 512 channels; stages 2–4 start
 * with stride 2 and a 1×1 conv + BN shortcut); AveragePool 4×4 → Flatten → Dense. Convs have
 * no bias; every kernel is Glorot uniform; BatchNorm uses Keras's defaults; strided convs pad
 * as Keras's "same" (bottom/right). Names follow torchvision (conv1, bn1, layer1.0.conv1, …,
 * layer2.0.downsample.0, fc).
 *
 * On 32×32 inputs the pool leaves 1×1×512 (11,173,962 parameters for 10 classes). On CelebA's
 * 128×128 it leaves 4×4×512, so the Dense layer takes 8,192 features, as in the original.
 */
import { checkInputSize, type Recipe } from "../../contract/model-descriptor.js";
import { F, type Tensor } from "../../engine/index.js";
import { glorotUniform } from "../init.js";
import {
  BasicBlock,
  BatchNorm2d,
  Conv2d,
  KERAS_BATCH_NORM,
  Linear,
  Sequential,
} from "../layers/index.js";
import { Model, type ModelOptions, resolveSpec, type ZooModel } from "./model.js";
import { adam, KERAS_SMALLCNN_RECIPE } from "./recipes.js";

const STAGES = [
  { channels: 64, stride: 1 },
  { channels: 128, stride: 2 },
  { channels: 256, stride: 2 },
  { channels: 512, stride: 2 },
] as const;
const BLOCKS_PER_STAGE = 2;

export class ResNet18Cifar extends Model {
  readonly name = "resnet18";
  readonly #conv1: Conv2d;
  readonly #bn1: BatchNorm2d;
  readonly #stages: Sequential[] = [];
  readonly #fc: Linear;

  constructor(options: ModelOptions) {
    super(resolveSpec(options, { classes: 10, inputShape: [3, 32, 32] }));
    const { generator } = options;
    const [channels, height, width] = this.inputShape;
    this.#conv1 = this.registerModule(
      "conv1",
      new Conv2d({
        inChannels: channels,
        outChannels: 64,
        kernelSize: 3,
        padding: "same",
        bias: false,
        generator,
      }),
    );
    this.#bn1 = this.registerModule("bn1", new BatchNorm2d(64, KERAS_BATCH_NORM));
    let inChannels = 64;
    STAGES.forEach((stage, i) => {
      const blocks: BasicBlock[] = [];
      for (let b = 0; b < BLOCKS_PER_STAGE; b++) {
        blocks.push(
          new BasicBlock({
            inChannels,
            channels: stage.channels,
            stride: b === 0 ? stage.stride : 1,
            batchNorm: KERAS_BATCH_NORM,
            weightInit: glorotUniform,
            padding: "same",
            generator,
          }),
        );
        inChannels = stage.channels;
      }
      this.#stages.push(this.registerModule(`layer${i + 1}`, new Sequential(blocks)));
    });
    // "same" stride-2 convs give ceil(size / 2); the 4×4 average pool then floors.
    const pooled = (size: number) => Math.floor(Math.ceil(size / 8) / 4);
    const features = inChannels * pooled(height) * pooled(width);
    if (features === 0) checkInputSize(RESNET18_MODEL.descriptor, height, width);
    this.#fc = this.registerModule(
      "fc",
      new Linear({ inFeatures: features, outFeatures: this.classes, generator }),
    );
  }

  protected logits(input: Tensor): Tensor {
    let x = this.#bn1.forward(this.#conv1.forward(input)).relu();
    for (const stage of this.#stages) x = stage.forward(x);
    return this.#fc.forward(F.avgPool2d(x, 4).flatten(1));
  }
}

/** The original's CIFAR setup: SmallCNN's, with ResNet18's schedule, standardised inputs. */
const CIFAR_RECIPE: Recipe = {
  ...KERAS_SMALLCNN_RECIPE,
  schedule: "resnet18-cifar",
  pipeline: "standardize",
  shuffle: { kind: "buffer", size: 10000 },
};
const CIFAR_AUGMENTED: Recipe = { ...CIFAR_RECIPE, pipeline: "cifarAugmentStandardize" };

export const RESNET18_MODEL: ZooModel = {
  descriptor: {
    name: "resnet18",
    displayName: "ResNet18",
    description: "ResNet18, CIFAR variant (3×3 stem, no max-pool); softmax or sigmoid head",
    options: {},
    recipe: {
      default: CIFAR_RECIPE,
      datasets: {
        cifar10: CIFAR_AUGMENTED,
        cifar100: CIFAR_AUGMENTED,
        // CelebA's 40 attributes: sigmoid outputs, the original's celeba.py.
        celeba: {
          ...KERAS_SMALLCNN_RECIPE,
          epochs: 10,
          optimizer: adam(1e-3),
          schedule: "celeba",
          pipeline: "standardize",
          shuffle: { kind: "buffer", size: 1000 },
          head: "sigmoid",
        },
      },
    },
    // "same" stride-2 convs give ceil(size / 2); the 4×4 average pool then floors.
    input: { minSize: 25 },
  },
  create: (options) => new ResNet18Cifar(options),
};

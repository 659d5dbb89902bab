/**
 * ResNet50 and ResNet152 for ImageNet in torchvision's layout (v1.5: the stride on the 3×3
 * conv, as TF Model Garden's ResNet50 that the original trained): stem 7×7/64 stride 2 → BN →
 * ReLU → MaxPool 3×3 stride 2; bottleneck stages of 3, 4, 6, 3 blocks (ResNet152: 3, 8, 36,
 * 3); global average pool → Dense. 25,557,032 (60,192,808) parameters for 1000 classes. BatchNorm: Model Garden's decay 0.9 and eps 1e-5,
 * which are PyTorch's defaults. Convs: He normal (fan-in, untruncated; Keras's he_normal
 * truncates at 2σ); Dense: N(0, 0.01²) kernel, zero bias, as Model Garden.
 */

import { F, normal_, type Tensor } from "../../engine/index.js";
import { kaimingNormal_, type WeightInit } from "../init.js";
import {
  BatchNorm2d,
  Bottleneck,
  Conv2d,
  Linear,
  Sequential,
  TORCH_BATCH_NORM,
} from "../layers/index.js";
import { Model, type ModelOptions, resolveSpec, type ZooModel } from "./model.js";
import { IMAGENET_RECIPE } from "./recipes.js";

const heNormal: WeightInit = (weight, generator) =>
  kaimingNormal_(weight, generator, { mode: "fanIn", nonlinearity: "relu" });
const denseNormal: WeightInit = (weight, generator) => normal_(weight, 0, 0.01, generator);

/** Bottleneck blocks per stage, by depth. */
const BLOCKS = { resnet50: [3, 4, 6, 3], resnet152: [3, 8, 36, 3] } as const;
export type BottleneckResNetName = keyof typeof BLOCKS;

export class BottleneckResNet extends Model {
  readonly name: BottleneckResNetName;
  readonly #conv1: Conv2d;
  readonly #bn1: BatchNorm2d;
  readonly #stages: Sequential[] = [];
  readonly #fc: Linear;

  constructor(name: BottleneckResNetName, options: ModelOptions) {
    super(resolveSpec(options, { classes: 1000, inputShape: [3, 224, 224] }));
    this.name = name;
    const { generator } = options;
    this.#conv1 = this.registerModule(
      "conv1",
      new Conv2d({
        inChannels: this.inputShape[0],
        outChannels: 64,
        kernelSize: 7,
        stride: 2,
        padding: 3,
        bias: false,
        weightInit: heNormal,
        generator,
      }),
    );
    this.#bn1 = this.registerModule("bn1", new BatchNorm2d(64, TORCH_BATCH_NORM));
    let inChannels = 64;
    const stages = [64, 128, 256, 512].map((channels, i) => ({
      channels,
      blocks: BLOCKS[name][i]!,
      stride: i === 0 ? 1 : 2,
    }));
    stages.forEach((stage, i) => {
      const blocks: Bottleneck[] = [];
      for (let b = 0; b < stage.blocks; b++) {
        blocks.push(
          new Bottleneck({
            inChannels,
            channels: stage.channels,
            stride: b === 0 ? stage.stride : 1,
            batchNorm: TORCH_BATCH_NORM,
            weightInit: heNormal,
            padding: "torch",
            generator,
          }),
        );
        inChannels = stage.channels * Bottleneck.expansion;
      }
      this.#stages.push(this.registerModule(`layer${i + 1}`, new Sequential(blocks)));
    });
    this.#fc = this.registerModule(
      "fc",
      new Linear({
        inFeatures: inChannels,
        outFeatures: this.classes,
        weightInit: denseNormal,
        generator,
      }),
    );
  }

  protected logits(input: Tensor): Tensor {
    let x = this.#bn1.forward(this.#conv1.forward(input)).relu();
    x = F.maxPool2d(x, 3, { stride: 2, padding: 1 });
    for (const stage of this.#stages) x = stage.forward(x);
    return this.#fc.forward(x.mean([2, 3]));
  }
}

const bottleneckResNet = (
  name: BottleneckResNetName,
  displayName: string,
  overheadOrder: number,
): ZooModel => ({
  descriptor: {
    name,
    displayName,
    description: `${displayName} (ImageNet, v1.5, torchvision layout)`,
    options: {},
    recipe: { default: IMAGENET_RECIPE },
    input: {},
    overhead: { order: overheadOrder },
  },
  create: (options) => new BottleneckResNet(name, options),
});

export const RESNET50_MODEL = bottleneckResNet("resnet50", "ResNet50", 3);
export const RESNET152_MODEL = bottleneckResNet("resnet152", "ResNet152", 4);

/**
 * ResNet152 for ImageNet in torchvision's layout: ResNet50's stem, Bottleneck (v1.5) and head
 * with 3, 8, 36, 3 blocks per stage. 60,192,808 parameters for 1000 classes (torchvision).
 * Initialisation and BatchNorm as ResNet50 (He-normal convs, N(0, 0.01²) Dense, PyTorch BN).
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
import { Model, type ModelOptions, resolveSpec } from "./model.js";

const heNormal: WeightInit = (weight, generator) =>
  kaimingNormal_(weight, generator, { mode: "fanIn", nonlinearity: "relu" });
const denseNormal: WeightInit = (weight, generator) => normal_(weight, 0, 0.01, generator);

const STAGES = [
  { channels: 64, blocks: 3, stride: 1 },
  { channels: 128, blocks: 8, stride: 2 },
  { channels: 256, blocks: 36, stride: 2 },
  { channels: 512, blocks: 3, stride: 2 },
] as const;

export class ResNet152 extends Model {
  readonly name = "resnet152";
  readonly #conv1: Conv2d;
  readonly #bn1: BatchNorm2d;
  readonly #stages: Sequential[] = [];
  readonly #fc: Linear;

  constructor(options: ModelOptions) {
    super(resolveSpec(options, { classes: 1000, inputShape: [3, 224, 224] }));
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
    STAGES.forEach((stage, i) => {
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

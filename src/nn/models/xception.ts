/**
 * Xception as Keras applications builds it: entry flow (Conv 3×3/2 32 valid → Conv 3×3 64
 * valid, then three blocks of separable convs ending in a 3×3/2 "same" max-pool, each added to
 * a strided 1×1 conv of its input), middle flow (8 blocks of 3 × [ReLU → SepConv 728 → BN],
 * identity shortcut), exit flow (728 → 1024 with a 1×1 shortcut, then SepConv 1536 and 2048),
 * GAP → Dense. Separable conv = depthwise 3×3 + pointwise 1×1, no bias; Glorot uniform;
 * BatchNorm with Keras's defaults. 22,855,952 trainable parameters; with the 54,528 moving
 * statistics, Keras's 22,910,480. Keras's default input is 299×299.
 */
import { F, type Generator, type Tensor } from "../../engine/index.js";
import { BatchNorm2d, Conv2d, KERAS_BATCH_NORM, Linear, samePadding } from "../layers/index.js";
import { Module } from "../module.js";
import { Model, type ModelOptions, resolveSpec, type ZooModel } from "./model.js";

/** Keras's SeparableConv2D (3×3, "same", no bias) followed by BatchNorm. */
class SeparableConvBn extends Module {
  readonly #depthwise: Conv2d;
  readonly #pointwise: Conv2d;
  readonly #bn: BatchNorm2d;

  constructor(inChannels: number, outChannels: number, generator: Generator) {
    super();
    this.#depthwise = this.registerModule(
      "depthwise",
      new Conv2d({
        inChannels,
        outChannels: inChannels,
        kernelSize: 3,
        padding: "same",
        groups: inChannels,
        bias: false,
        generator,
      }),
    );
    this.#pointwise = this.registerModule(
      "pointwise",
      new Conv2d({ inChannels, outChannels, kernelSize: 1, bias: false, generator }),
    );
    this.#bn = this.registerModule("bn", new BatchNorm2d(outChannels, KERAS_BATCH_NORM));
  }

  forward(input: Tensor): Tensor {
    return this.#bn.forward(this.#pointwise.forward(this.#depthwise.forward(input)));
  }
}

/** TensorFlow's 3×3/2 "same" max-pool: −∞ padding, the odd pixel bottom/right. */
function maxPoolSame(x: Tensor): Tensor {
  const [top, bottom] = samePadding(x.shape[2]!, 3, 2);
  const [left, right] = samePadding(x.shape[3]!, 3, 2);
  const padded = F.pad(x, [left, right, top, bottom], "constant", Number.NEGATIVE_INFINITY);
  return F.maxPool2d(padded, 3, { stride: 2 });
}

/**
 * [ReLU →] SepConv → BN, repeated; a max-pool at the end of a downsampling block; then the
 * sum with the shortcut (a strided 1×1 conv + BN, or the input itself).
 */
class XceptionBlock extends Module {
  readonly #convs: SeparableConvBn[] = [];
  readonly #shortcut: { conv: Conv2d; bn: BatchNorm2d } | null;
  readonly #reluFirst: boolean;

  constructor(
    channels: readonly number[],
    options: { downsample: boolean; reluFirst: boolean; generator: Generator },
  ) {
    super();
    const { generator } = options;
    this.#reluFirst = options.reluFirst;
    for (let i = 1; i < channels.length; i++) {
      const conv = new SeparableConvBn(channels[i - 1]!, channels[i]!, generator);
      this.#convs.push(this.registerModule(`sepconv${i}`, conv));
    }
    if (!options.downsample) {
      this.#shortcut = null;
      return;
    }
    const out = channels.at(-1)!;
    this.#shortcut = {
      conv: this.registerModule(
        "shortcut",
        new Conv2d({
          inChannels: channels[0]!,
          outChannels: out,
          kernelSize: 1,
          stride: 2,
          bias: false,
          generator,
        }),
      ),
      bn: this.registerModule("shortcut_bn", new BatchNorm2d(out, KERAS_BATCH_NORM)),
    };
  }

  forward(input: Tensor): Tensor {
    let x = input;
    this.#convs.forEach((conv, i) => {
      x = conv.forward(i > 0 || this.#reluFirst ? x.relu() : x);
    });
    if (this.#shortcut === null) return x.add(input);
    const shortcut = this.#shortcut.bn.forward(this.#shortcut.conv.forward(input));
    return maxPoolSame(x).add(shortcut);
  }
}

export class Xception extends Model {
  readonly name = "xception";
  readonly #stem: { conv: Conv2d; bn: BatchNorm2d }[] = [];
  readonly #blocks: XceptionBlock[] = [];
  readonly #exit: SeparableConvBn[] = [];
  readonly #fc: Linear;

  constructor(options: ModelOptions) {
    super(resolveSpec(options, { classes: 1000, inputShape: [3, 299, 299] }));
    const { generator } = options;
    const stem = (name: string, inChannels: number, outChannels: number, stride: number) => {
      const conv = new Conv2d({
        inChannels,
        outChannels,
        kernelSize: 3,
        stride,
        padding: "valid",
        bias: false,
        generator,
      });
      this.#stem.push({
        conv: this.registerModule(`${name}`, conv),
        bn: this.registerModule(`${name}_bn`, new BatchNorm2d(outChannels, KERAS_BATCH_NORM)),
      });
    };
    stem("block1_conv1", this.inputShape[0], 32, 2);
    stem("block1_conv2", 32, 64, 1);
    const block = (channels: number[], downsample: boolean, reluFirst: boolean) => {
      const index = this.#blocks.length + 2;
      const module = new XceptionBlock(channels, { downsample, reluFirst, generator });
      this.#blocks.push(this.registerModule(`block${index}`, module));
    };
    block([64, 128, 128], true, false);
    block([128, 256, 256], true, true);
    block([256, 728, 728], true, true);
    for (let i = 0; i < 8; i++) block([728, 728, 728, 728], false, true);
    block([728, 728, 1024], true, true);
    this.#exit.push(
      this.registerModule("block14_sepconv1", new SeparableConvBn(1024, 1536, generator)),
      this.registerModule("block14_sepconv2", new SeparableConvBn(1536, 2048, generator)),
    );
    this.#fc = this.registerModule(
      "predictions",
      new Linear({ inFeatures: 2048, outFeatures: this.classes, generator }),
    );
  }

  protected logits(input: Tensor): Tensor {
    let x = input;
    for (const { conv, bn } of this.#stem) x = bn.forward(conv.forward(x)).relu();
    for (const block of this.#blocks) x = block.forward(x);
    for (const conv of this.#exit) x = conv.forward(x).relu();
    return this.#fc.forward(x.mean([2, 3]));
  }
}

export const XCEPTION_MODEL: ZooModel = {
  descriptor: {
    name: "xception",
    displayName: "Xception",
    description: "Xception (Keras applications; 299×299 inputs by default)",
    options: {},
    input: {},
    overhead: { order: 8 },
  },
  create: (options) => new Xception(options),
};

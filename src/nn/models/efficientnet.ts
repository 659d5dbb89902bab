/**
 * EfficientNetB0 as Keras applications builds it, its layers named as Keras names them (stem_conv,
 * block1a.dwconv, block2a.expand_conv, …, top_conv, predictions): Conv 3×3/2 32 → BN → swish;
 * 16 MBConv blocks in 7 stages; Conv 1×1 1280 → BN → swish; GAP → Dropout → Dense. An MBConv
 * block: [Conv 1×1 expand ×6 → BN → swish] → depthwise k×k → BN → swish → squeeze-and-excite
 * (GAP → Conv 1×1 in/4 → swish → Conv 1×1 → sigmoid, times the features) → Conv 1×1 project →
 * BN, plus the input (after drop connect) when the shape is kept. Stride-2 convs pad as Keras's
 * ZeroPadding2D(correct_pad): k//2 after, and before an even size k//2 − 1, an odd one k//2.
 * BatchNorm with Keras's defaults; convs (with Keras's fans: a depthwise kernel's fan-out is
 * k·k) VarianceScaling(2, fan-out, truncated normal), the Dense VarianceScaling(1/3, fan-out,
 * uniform), biases zero.
 *
 * Keras's input Rescaling and Normalization layers are preprocessing and are left out.
 * Dropout (Keras: 0.2) and drop connect (stochastic depth, Keras: 0.2 × block / 16) are off
 * unless a `dropoutGenerator` is given; `dropout` and `dropConnect` then override Keras's rates.
 * 5,288,548 trainable parameters (as torchvision's efficientnet_b0); Keras's total 5,330,571
 * adds the 42,016 moving statistics and the Normalization layer's 7 (mean, variance, count).
 */
import { F, type Generator, ones, type Tensor, uniform_ } from "../../engine/index.js";
import { truncatedNormal_, type WeightInit } from "../init.js";
import { BatchNorm2d, Conv2d, Dropout, KERAS_BATCH_NORM, Linear } from "../layers/index.js";
import { Module } from "../module.js";
import { Model, type ModelOptions, resolveSpec, type ZooModel } from "./model.js";

/**
 * Keras's CONV_KERNEL_INITIALIZER, VarianceScaling(2, "fan_out", "truncated_normal"), with
 * Keras's fan-out kh·kw·(out/groups): for a depthwise kernel [C, 1, k, k], k·k.
 */
function convInit(groups: number): WeightInit {
  return (weight, generator) => {
    const [out, , kh, kw] = weight.shape as [number, number, number, number];
    const fanOut = (out / groups) * kh * kw;
    return truncatedNormal_(weight, Math.sqrt(2 / fanOut) / 0.87962566103423978, generator);
  };
}

/** Keras's DENSE_KERNEL_INITIALIZER, VarianceScaling(1/3, "fan_out", "uniform"): ±√(1/out). */
const denseInit: WeightInit = (weight, generator) => {
  const limit = Math.sqrt(1 / weight.shape[0]!);
  return uniform_(weight, -limit, limit, generator);
};

/** (kernel, repeats, filters in, filters out, expand ratio, stride) of the 7 stages. */
const STAGES: readonly (readonly [number, number, number, number, number, number])[] = [
  [3, 1, 32, 16, 1, 1],
  [3, 2, 16, 24, 6, 2],
  [5, 2, 24, 40, 6, 2],
  [3, 3, 40, 80, 6, 2],
  [5, 3, 80, 112, 6, 1],
  [5, 4, 112, 192, 6, 2],
  [3, 1, 192, 320, 6, 1],
];
const SE_RATIO = 0.25;
const TOP_FILTERS = 1280;

interface ConvConfig {
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride?: number;
  groups?: number;
  bias?: boolean;
  generator: Generator;
}

/**
 * Keras's Conv2D / DepthwiseConv2D of EfficientNet: "same" padding at stride 1; at stride 2,
 * ZeroPadding2D(correct_pad) then "valid", which for odd kernels pads as TensorFlow's "same"
 * (Conv2d's strided "same"; test/nn/zoo.test.ts checks the two agree).
 */
function conv(config: ConvConfig): Conv2d {
  const groups = config.groups ?? 1;
  return new Conv2d({
    inChannels: config.inChannels,
    outChannels: config.outChannels,
    kernelSize: config.kernel,
    stride: config.stride ?? 1,
    padding: config.kernel === 1 ? 0 : "same",
    groups,
    bias: config.bias ?? false,
    weightInit: convInit(groups),
    generator: config.generator,
  });
}

/** Keras's Dropout(rate, noise_shape=(None, 1, 1, 1)): drops whole samples of a residual. */
class DropConnect extends Module {
  constructor(
    readonly rate: number,
    readonly generator: Generator | null,
  ) {
    super();
  }

  forward(input: Tensor): Tensor {
    if (!this.training || this.rate === 0 || this.generator === null) return input;
    const keep = ones([input.shape[0]!, 1, 1, 1], { dtype: input.dtype, device: input.device });
    return input.mul(F.dropout(keep, this.rate, this.generator, true));
  }
}

interface BlockConfig {
  inChannels: number;
  outChannels: number;
  kernel: number;
  stride: number;
  expandRatio: number;
  dropConnect: DropConnect;
  generator: Generator;
}

/** Keras's efficientnet.block, its layers named without the `block2a_` prefix. */
class MBConv extends Module {
  readonly #expand: { conv: Conv2d; bn: BatchNorm2d } | null;
  readonly #dwconv: Conv2d;
  readonly #bn: BatchNorm2d;
  readonly #seReduce: Conv2d;
  readonly #seExpand: Conv2d;
  readonly #project: Conv2d;
  readonly #projectBn: BatchNorm2d;
  readonly #dropConnect: DropConnect | null;

  constructor(config: BlockConfig) {
    super();
    const { inChannels, outChannels, kernel, stride, generator } = config;
    const filters = inChannels * config.expandRatio;
    const bn = (name: string, channels: number) =>
      this.registerModule(name, new BatchNorm2d(channels, KERAS_BATCH_NORM));
    const convolution = (name: string, c: Omit<ConvConfig, "generator">) =>
      this.registerModule(name, conv({ ...c, generator }));
    this.#expand =
      config.expandRatio === 1
        ? null
        : {
            conv: convolution("expand_conv", { inChannels, outChannels: filters, kernel: 1 }),
            bn: bn("expand_bn", filters),
          };
    this.#dwconv = convolution("dwconv", {
      inChannels: filters,
      outChannels: filters,
      kernel,
      stride,
      groups: filters,
    });
    this.#bn = bn("bn", filters);
    const squeezed = Math.max(1, Math.floor(inChannels * SE_RATIO));
    this.#seReduce = convolution("se_reduce", {
      inChannels: filters,
      outChannels: squeezed,
      kernel: 1,
      bias: true,
    });
    this.#seExpand = convolution("se_expand", {
      inChannels: squeezed,
      outChannels: filters,
      kernel: 1,
      bias: true,
    });
    this.#project = convolution("project_conv", { inChannels: filters, outChannels, kernel: 1 });
    this.#projectBn = bn("project_bn", outChannels);
    this.#dropConnect =
      stride === 1 && inChannels === outChannels
        ? this.registerModule("drop", config.dropConnect)
        : null;
  }

  forward(input: Tensor): Tensor {
    let x = input;
    if (this.#expand !== null) x = F.silu(this.#expand.bn.forward(this.#expand.conv.forward(x)));
    x = F.silu(this.#bn.forward(this.#dwconv.forward(x)));
    const squeezed = F.silu(this.#seReduce.forward(x.mean([2, 3], true)));
    x = x.mul(this.#seExpand.forward(squeezed).sigmoid());
    x = this.#projectBn.forward(this.#project.forward(x));
    if (this.#dropConnect === null) return x;
    return this.#dropConnect.forward(x).add(input);
  }
}

export class EfficientNetB0 extends Model {
  readonly name = "efficientnetb0";
  readonly #stemConv: Conv2d;
  readonly #stemBn: BatchNorm2d;
  readonly #blocks: MBConv[] = [];
  readonly #topConv: Conv2d;
  readonly #topBn: BatchNorm2d;
  readonly #dropout: Dropout;
  readonly #predictions: Linear;

  constructor(options: ModelOptions) {
    super(resolveSpec(options, { classes: 1000, inputShape: [3, 224, 224] }));
    const { generator } = options;
    const dropoutGenerator = options.dropoutGenerator ?? null;
    const active = dropoutGenerator !== null;
    const dropout = options.dropout ?? (active ? 0.2 : 0);
    const dropConnect = options.dropConnect ?? (active ? 0.2 : 0);
    if (!(dropConnect >= 0 && dropConnect < 1)) {
      throw new RangeError(`efficientnetb0: dropConnect must be in [0, 1), got ${dropConnect}`);
    }
    if (dropConnect > 0 && !active) {
      throw new Error("efficientnetb0: a dropoutGenerator is needed when dropConnect > 0");
    }
    this.#stemConv = this.registerModule(
      "stem_conv",
      conv({
        inChannels: this.inputShape[0],
        outChannels: STAGES[0]![2],
        kernel: 3,
        stride: 2,
        generator,
      }),
    );
    this.#stemBn = this.registerModule("stem_bn", new BatchNorm2d(STAGES[0]![2], KERAS_BATCH_NORM));
    const blocks = STAGES.reduce((sum, stage) => sum + stage[1], 0);
    STAGES.forEach(([kernel, repeats, filtersIn, filtersOut, expandRatio, stride], i) => {
      for (let j = 0; j < repeats; j++) {
        const rate = (dropConnect * this.#blocks.length) / blocks;
        const block = new MBConv({
          inChannels: j === 0 ? filtersIn : filtersOut,
          outChannels: filtersOut,
          kernel,
          stride: j === 0 ? stride : 1,
          expandRatio,
          dropConnect: new DropConnect(rate, dropoutGenerator),
          generator,
        });
        const name = `block${i + 1}${String.fromCharCode(97 + j)}`;
        this.#blocks.push(this.registerModule(name, block));
      }
    });
    this.#topConv = this.registerModule(
      "top_conv",
      conv({
        inChannels: STAGES.at(-1)![3],
        outChannels: TOP_FILTERS,
        kernel: 1,
        generator,
      }),
    );
    this.#topBn = this.registerModule("top_bn", new BatchNorm2d(TOP_FILTERS, KERAS_BATCH_NORM));
    this.#dropout = this.registerModule("top_dropout", new Dropout(dropout, dropoutGenerator));
    this.#predictions = this.registerModule(
      "predictions",
      new Linear({
        inFeatures: TOP_FILTERS,
        outFeatures: this.classes,
        weightInit: denseInit,
        generator,
      }),
    );
  }

  protected logits(input: Tensor): Tensor {
    let x = F.silu(this.#stemBn.forward(this.#stemConv.forward(input)));
    for (const block of this.#blocks) x = block.forward(x);
    x = F.silu(this.#topBn.forward(this.#topConv.forward(x)));
    return this.#predictions.forward(this.#dropout.forward(x.mean([2, 3])));
  }
}

export const EFFICIENTNETB0_MODEL: ZooModel = {
  descriptor: {
    name: "efficientnetb0",
    displayName: "EfficientNetB0",
    description: "EfficientNetB0 (Keras applications, without its input normalisation)",
    options: {},
    input: {},
    overhead: { order: 10 },
  },
  create: (options) => new EfficientNetB0(options),
};

/**
 * InceptionV3 as Keras applications builds it, named as torchvision's (Conv2d_1a_3x3,
 * Mixed_5b.branch1x1.conv, …, fc; no auxiliary classifier): every conv is Conv (no bias) →
 * BatchNorm without gamma (Keras's `scale=False`, eps 1e-3) → ReLU. Stem: 3×3/2 32 valid →
 * 3×3 32 valid → 3×3 64 → MaxPool 3×3/2 → 1×1 80 → 3×3 192 valid → MaxPool 3×3/2; then
 * mixed0-2 (Mixed_5b-d: 1×1, 5×5, double 3×3 and pool branches), mixed3 (Mixed_6a, strided
 * valid), mixed4-7 (Mixed_6b-e: factorised 1×7/7×1 branches), mixed8 (Mixed_7a, strided valid),
 * mixed9-10 (Mixed_7b-c: 1×3/3×1 splits); GAP → Dense. The pool branches average 3×3 windows
 * with stride 1 and "same" padding, the padding left out of the average as Keras does. Glorot
 * uniform kernels. 23,817,352 trainable parameters; with the 34,432 moving statistics, Keras's
 * 23,851,784. Keras's default input is 299×299; the valid strided convs need at least 75×75.
 */
import { checkInputSize } from "../../contract/model-descriptor.js";
import { cat, F, type Generator, type Tensor } from "../../engine/index.js";
import { BatchNorm2d, Conv2d, KERAS_BATCH_NORM, Linear } from "../layers/index.js";
import { Module } from "../module.js";
import { Model, type ModelOptions, resolveSpec, type ZooModel } from "./model.js";

/** The smallest height and width: the stem and the strided valid convs bring 75 down to 1×1. */
export const INCEPTION_V3_MIN_SIZE = 75;

type Kernel = number | readonly [number, number];

/** Keras's conv2d_bn: Conv (no bias) → BatchNorm (no gamma) → ReLU; torchvision's BasicConv2d. */
class BasicConv2d extends Module {
  readonly #conv: Conv2d;
  readonly #bn: BatchNorm2d;

  constructor(
    inChannels: number,
    outChannels: number,
    kernelSize: Kernel,
    generator: Generator,
    options: { stride?: number; padding?: "same" | "valid" } = {},
  ) {
    super();
    const single =
      typeof kernelSize === "number" ? kernelSize === 1 : kernelSize.every((k) => k === 1);
    const conv = new Conv2d({
      inChannels,
      outChannels,
      kernelSize,
      stride: options.stride ?? 1,
      padding: single ? 0 : (options.padding ?? "same"),
      bias: false,
      generator,
    });
    this.#conv = this.registerModule("conv", conv);
    this.#bn = this.registerModule(
      "bn",
      new BatchNorm2d(outChannels, { ...KERAS_BATCH_NORM, scale: false }),
    );
  }

  forward(input: Tensor): Tensor {
    return this.#bn.forward(this.#conv.forward(input)).relu();
  }
}

/** Keras's AveragePooling2D((3, 3), strides=(1, 1), padding="same"): padding not counted. */
const averagePoolSame = (x: Tensor): Tensor =>
  F.avgPool2d(x, 3, { stride: 1, padding: 1, countIncludePad: false });

/** Keras's MaxPooling2D((3, 3), strides=(2, 2)), "valid". */
const maxPool = (x: Tensor): Tensor => F.maxPool2d(x, 3, { stride: 2 });

/** A block of branches concatenated along channels; each branch a chain of its convs. */
abstract class InceptionBlock extends Module {
  abstract readonly outChannels: number;

  protected conv(name: string, ...args: ConstructorParameters<typeof BasicConv2d>): BasicConv2d {
    return this.registerModule(name, new BasicConv2d(...args));
  }
}

const chain = (x: Tensor, convs: readonly BasicConv2d[]): Tensor =>
  convs.reduce((y, conv) => conv.forward(y), x);

/** mixed0-2 (torchvision's InceptionA): 35×35 grid. */
class InceptionA extends InceptionBlock {
  readonly outChannels: number;
  readonly #branch1x1: BasicConv2d;
  readonly #branch5x5: BasicConv2d[];
  readonly #branch3x3dbl: BasicConv2d[];
  readonly #branchPool: BasicConv2d;

  constructor(inChannels: number, poolFeatures: number, generator: Generator) {
    super();
    this.#branch1x1 = this.conv("branch1x1", inChannels, 64, 1, generator);
    this.#branch5x5 = [
      this.conv("branch5x5_1", inChannels, 48, 1, generator),
      this.conv("branch5x5_2", 48, 64, 5, generator),
    ];
    this.#branch3x3dbl = [
      this.conv("branch3x3dbl_1", inChannels, 64, 1, generator),
      this.conv("branch3x3dbl_2", 64, 96, 3, generator),
      this.conv("branch3x3dbl_3", 96, 96, 3, generator),
    ];
    this.#branchPool = this.conv("branch_pool", inChannels, poolFeatures, 1, generator);
    this.outChannels = 64 + 64 + 96 + poolFeatures;
  }

  forward(x: Tensor): Tensor {
    return cat(
      [
        this.#branch1x1.forward(x),
        chain(x, this.#branch5x5),
        chain(x, this.#branch3x3dbl),
        this.#branchPool.forward(averagePoolSame(x)),
      ],
      1,
    );
  }
}

/** mixed3 (torchvision's InceptionB): 35×35 → 17×17. */
class InceptionB extends InceptionBlock {
  readonly outChannels: number;
  readonly #branch3x3: BasicConv2d;
  readonly #branch3x3dbl: BasicConv2d[];

  constructor(inChannels: number, generator: Generator) {
    super();
    const strided = { stride: 2, padding: "valid" } as const;
    this.#branch3x3 = this.conv("branch3x3", inChannels, 384, 3, generator, strided);
    this.#branch3x3dbl = [
      this.conv("branch3x3dbl_1", inChannels, 64, 1, generator),
      this.conv("branch3x3dbl_2", 64, 96, 3, generator),
      this.conv("branch3x3dbl_3", 96, 96, 3, generator, strided),
    ];
    this.outChannels = 384 + 96 + inChannels;
  }

  forward(x: Tensor): Tensor {
    return cat([this.#branch3x3.forward(x), chain(x, this.#branch3x3dbl), maxPool(x)], 1);
  }
}

/** mixed4-7 (torchvision's InceptionC): 17×17, 7×7 convs factorised into 1×7 and 7×1. */
class InceptionC extends InceptionBlock {
  readonly outChannels = 4 * 192;
  readonly #branch1x1: BasicConv2d;
  readonly #branch7x7: BasicConv2d[];
  readonly #branch7x7dbl: BasicConv2d[];
  readonly #branchPool: BasicConv2d;

  constructor(inChannels: number, c7: number, generator: Generator) {
    super();
    this.#branch1x1 = this.conv("branch1x1", inChannels, 192, 1, generator);
    this.#branch7x7 = [
      this.conv("branch7x7_1", inChannels, c7, 1, generator),
      this.conv("branch7x7_2", c7, c7, [1, 7], generator),
      this.conv("branch7x7_3", c7, 192, [7, 1], generator),
    ];
    this.#branch7x7dbl = [
      this.conv("branch7x7dbl_1", inChannels, c7, 1, generator),
      this.conv("branch7x7dbl_2", c7, c7, [7, 1], generator),
      this.conv("branch7x7dbl_3", c7, c7, [1, 7], generator),
      this.conv("branch7x7dbl_4", c7, c7, [7, 1], generator),
      this.conv("branch7x7dbl_5", c7, 192, [1, 7], generator),
    ];
    this.#branchPool = this.conv("branch_pool", inChannels, 192, 1, generator);
  }

  forward(x: Tensor): Tensor {
    return cat(
      [
        this.#branch1x1.forward(x),
        chain(x, this.#branch7x7),
        chain(x, this.#branch7x7dbl),
        this.#branchPool.forward(averagePoolSame(x)),
      ],
      1,
    );
  }
}

/** mixed8 (torchvision's InceptionD): 17×17 → 8×8. */
class InceptionD extends InceptionBlock {
  readonly outChannels: number;
  readonly #branch3x3: BasicConv2d[];
  readonly #branch7x7x3: BasicConv2d[];

  constructor(inChannels: number, generator: Generator) {
    super();
    const strided = { stride: 2, padding: "valid" } as const;
    this.#branch3x3 = [
      this.conv("branch3x3_1", inChannels, 192, 1, generator),
      this.conv("branch3x3_2", 192, 320, 3, generator, strided),
    ];
    this.#branch7x7x3 = [
      this.conv("branch7x7x3_1", inChannels, 192, 1, generator),
      this.conv("branch7x7x3_2", 192, 192, [1, 7], generator),
      this.conv("branch7x7x3_3", 192, 192, [7, 1], generator),
      this.conv("branch7x7x3_4", 192, 192, 3, generator, strided),
    ];
    this.outChannels = 320 + 192 + inChannels;
  }

  forward(x: Tensor): Tensor {
    return cat([chain(x, this.#branch3x3), chain(x, this.#branch7x7x3), maxPool(x)], 1);
  }
}

/** mixed9-10 (torchvision's InceptionE): 8×8, the 3×3 branches split into 1×3 and 3×1. */
class InceptionE extends InceptionBlock {
  readonly outChannels = 320 + 2 * 384 + 2 * 384 + 192;
  readonly #branch1x1: BasicConv2d;
  readonly #branch3x3: BasicConv2d;
  readonly #branch3x3Split: [BasicConv2d, BasicConv2d];
  readonly #branch3x3dbl: BasicConv2d[];
  readonly #branch3x3dblSplit: [BasicConv2d, BasicConv2d];
  readonly #branchPool: BasicConv2d;

  constructor(inChannels: number, generator: Generator) {
    super();
    this.#branch1x1 = this.conv("branch1x1", inChannels, 320, 1, generator);
    this.#branch3x3 = this.conv("branch3x3_1", inChannels, 384, 1, generator);
    this.#branch3x3Split = [
      this.conv("branch3x3_2a", 384, 384, [1, 3], generator),
      this.conv("branch3x3_2b", 384, 384, [3, 1], generator),
    ];
    this.#branch3x3dbl = [
      this.conv("branch3x3dbl_1", inChannels, 448, 1, generator),
      this.conv("branch3x3dbl_2", 448, 384, 3, generator),
    ];
    this.#branch3x3dblSplit = [
      this.conv("branch3x3dbl_3a", 384, 384, [1, 3], generator),
      this.conv("branch3x3dbl_3b", 384, 384, [3, 1], generator),
    ];
    this.#branchPool = this.conv("branch_pool", inChannels, 192, 1, generator);
  }

  forward(x: Tensor): Tensor {
    const branch3x3 = this.#branch3x3.forward(x);
    const branch3x3dbl = chain(x, this.#branch3x3dbl);
    return cat(
      [
        this.#branch1x1.forward(x),
        this.#branch3x3Split[0].forward(branch3x3),
        this.#branch3x3Split[1].forward(branch3x3),
        this.#branch3x3dblSplit[0].forward(branch3x3dbl),
        this.#branch3x3dblSplit[1].forward(branch3x3dbl),
        this.#branchPool.forward(averagePoolSame(x)),
      ],
      1,
    );
  }
}

function checkSize(height: number, width: number): void {
  checkInputSize(INCEPTIONV3_MODEL.descriptor, height, width);
}

export class InceptionV3 extends Model {
  readonly name = "inceptionv3";
  /** Two stages, each followed by a 3×3/2 max-pool. */
  readonly #stem: BasicConv2d[][];
  readonly #blocks: InceptionBlock[] = [];
  readonly #fc: Linear;

  constructor(options: ModelOptions) {
    super(resolveSpec(options, { classes: 1000, inputShape: [3, 299, 299] }));
    checkSize(this.inputShape[1], this.inputShape[2]);
    const { generator } = options;
    const stem = (name: string, ...args: ConstructorParameters<typeof BasicConv2d>) =>
      this.registerModule(name, new BasicConv2d(...args));
    const valid = { padding: "valid" } as const;
    this.#stem = [
      [
        stem("Conv2d_1a_3x3", this.inputShape[0], 32, 3, generator, { stride: 2, ...valid }),
        stem("Conv2d_2a_3x3", 32, 32, 3, generator, valid),
        stem("Conv2d_2b_3x3", 32, 64, 3, generator),
      ],
      [
        stem("Conv2d_3b_1x1", 64, 80, 1, generator),
        stem("Conv2d_4a_3x3", 80, 192, 3, generator, valid),
      ],
    ];
    let channels = 192;
    const block = (name: string, make: (inChannels: number) => InceptionBlock) => {
      const module = this.registerModule(name, make(channels));
      this.#blocks.push(module);
      channels = module.outChannels;
    };
    block("Mixed_5b", (c) => new InceptionA(c, 32, generator));
    block("Mixed_5c", (c) => new InceptionA(c, 64, generator));
    block("Mixed_5d", (c) => new InceptionA(c, 64, generator));
    block("Mixed_6a", (c) => new InceptionB(c, generator));
    block("Mixed_6b", (c) => new InceptionC(c, 128, generator));
    block("Mixed_6c", (c) => new InceptionC(c, 160, generator));
    block("Mixed_6d", (c) => new InceptionC(c, 160, generator));
    block("Mixed_6e", (c) => new InceptionC(c, 192, generator));
    block("Mixed_7a", (c) => new InceptionD(c, generator));
    block("Mixed_7b", (c) => new InceptionE(c, generator));
    block("Mixed_7c", (c) => new InceptionE(c, generator));
    this.#fc = this.registerModule(
      "fc",
      new Linear({ inFeatures: channels, outFeatures: this.classes, generator }),
    );
  }

  protected logits(input: Tensor): Tensor {
    checkSize(input.shape[2]!, input.shape[3]!);
    let x = input;
    for (const stage of this.#stem) x = maxPool(chain(x, stage));
    for (const block of this.#blocks) x = block.forward(x);
    return this.#fc.forward(x.mean([2, 3]));
  }
}

export const INCEPTIONV3_MODEL: ZooModel = {
  descriptor: {
    name: "inceptionv3",
    displayName: "InceptionV3",
    description: "InceptionV3 (Keras applications, torchvision names; 299×299 inputs by default)",
    options: {},
    input: { minSize: INCEPTION_V3_MIN_SIZE },
    overhead: { order: 7 },
  },
  create: (options) => new InceptionV3(options),
};

/**
 * MobileNet v1 as Keras applications builds it (alpha 1, depth multiplier 1): Conv 3×3/2 32
 * ("same") → BN → ReLU6, then 13 depthwise-separable blocks (depthwise 3×3 → BN → ReLU6 →
 * pointwise 1×1 → BN → ReLU6), global average pool, Dropout (Keras: 1e-3; here `dropout`, 0
 * unless given) and a 1×1 conv with bias as the classifier. A strided depthwise conv is, as in
 * Keras, a zero row and column added bottom/right, then "valid" — not TF "same", from which it
 * differs at odd sizes (33 → 16, not 17). Convs without bias, Glorot uniform; BatchNorm with
 * Keras's defaults. 4,231,976 trainable parameters; with BatchNorm's 21,888 moving
 * statistics, Keras's 4,253,864.
 * Children are named as Keras's layers: conv1, conv_dw_1, conv_pw_1, …, conv_preds.
 */
import { F, type Tensor } from "../../engine/index.js";
import { BatchNorm2d, Conv2d, Dropout, KERAS_BATCH_NORM } from "../layers/index.js";
import { Module } from "../module.js";
import { Model, type ModelOptions, resolveSpec, type ZooModel } from "./model.js";

/** [ZeroPadding2D(((0, 1), (0, 1))) →] Conv (no bias) → BatchNorm → ReLU6. */
class ConvBnRelu6 extends Module {
  readonly #conv: Conv2d;
  readonly #bn: BatchNorm2d;
  readonly #padBottomRight: boolean;

  constructor(conv: Conv2d, channels: number, padBottomRight = false) {
    super();
    this.#conv = this.registerModule("conv", conv);
    this.#bn = this.registerModule("bn", new BatchNorm2d(channels, KERAS_BATCH_NORM));
    this.#padBottomRight = padBottomRight;
  }

  forward(input: Tensor): Tensor {
    const x = this.#padBottomRight ? F.pad(input, [0, 1, 0, 1]) : input;
    return F.relu6(this.#bn.forward(this.#conv.forward(x)));
  }
}

/** (pointwise filters, stride of the depthwise conv) of the 13 blocks. */
const BLOCKS: readonly (readonly [number, number])[] = [
  [64, 1],
  [128, 2],
  [128, 1],
  [256, 2],
  [256, 1],
  [512, 2],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [512, 1],
  [1024, 2],
  [1024, 1],
];

export class MobileNet extends Model {
  readonly name = "mobilenet";
  readonly #layers: ConvBnRelu6[] = [];
  readonly #dropout: Dropout;
  readonly #classifier: Conv2d;

  constructor(options: ModelOptions) {
    super(resolveSpec(options, { classes: 1000, inputShape: [3, 224, 224] }));
    const { generator } = options;
    const conv = (
      inChannels: number,
      outChannels: number,
      kernel: number,
      stride = 1,
      groups = 1,
      padding: 0 | "same" = kernel === 1 ? 0 : "same",
    ) =>
      new Conv2d({
        inChannels,
        outChannels,
        kernelSize: kernel,
        stride,
        padding,
        groups,
        bias: false,
        generator,
      });
    const add = (name: string, layer: Conv2d, channels: number, padBottomRight = false) =>
      this.#layers.push(
        this.registerModule(name, new ConvBnRelu6(layer, channels, padBottomRight)),
      );
    add("conv1", conv(this.inputShape[0], 32, 3, 2), 32);
    let channels = 32;
    BLOCKS.forEach(([filters, stride], i) => {
      // Keras: stride 1 "same"; stride 2 ZeroPadding2D(((0, 1), (0, 1))) then "valid".
      const padding = stride === 1 ? "same" : 0;
      const depthwise = conv(channels, channels, 3, stride, channels, padding);
      add(`conv_dw_${i + 1}`, depthwise, channels, stride !== 1);
      add(`conv_pw_${i + 1}`, conv(channels, filters, 1), filters);
      channels = filters;
    });
    this.#dropout = this.registerModule(
      "dropout",
      new Dropout(options.dropout ?? 0, options.dropoutGenerator ?? null),
    );
    this.#classifier = this.registerModule(
      "conv_preds",
      new Conv2d({
        inChannels: channels,
        outChannels: this.classes,
        kernelSize: 1,
        generator,
      }),
    );
  }

  protected logits(input: Tensor): Tensor {
    let x = input;
    for (const layer of this.#layers) x = layer.forward(x);
    x = this.#dropout.forward(x.mean([2, 3], true));
    return this.#classifier.forward(x).flatten(1);
  }
}

export const MOBILENET_MODEL: ZooModel = {
  descriptor: {
    name: "mobilenet",
    displayName: "MobileNet",
    description: "MobileNet v1, alpha 1 (Keras applications)",
    options: {},
    input: {},
    overhead: { order: 9 },
  },
  create: (options) => new MobileNet(options),
};

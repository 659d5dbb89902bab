import type { Conv2dOptions } from "../../engine/functional.js";
import { empty, F, type Generator, type Tensor, zeros } from "../../engine/index.js";
import { glorotUniform, type WeightInit } from "../init.js";
import { Module } from "../module.js";

type Pair = number | readonly [number, number];

export interface Conv2dConfig {
  inChannels: number;
  outChannels: number;
  kernelSize: Pair;
  stride?: Pair;
  /** Integers, or Keras's "same" / "valid" (strided "same" pads as TensorFlow does). */
  padding?: Conv2dOptions["padding"];
  groups?: number;
  /** Keras's Conv2D has a bias by default; ResNets are built without one. */
  bias?: boolean;
  /** Initialiser of the kernel; Glorot uniform (Keras's default) unless given. */
  weightInit?: WeightInit;
  generator: Generator;
}

/** 2-D convolution; weight [out, in/groups, kh, kw] as PyTorch's nn.Conv2d, bias zeros. */
export class Conv2d extends Module {
  readonly kernelSize: [number, number];
  readonly stride: [number, number];
  readonly padding: Conv2dOptions["padding"];
  readonly groups: number;
  readonly hasBias: boolean;

  constructor(config: Conv2dConfig) {
    super();
    this.kernelSize = pair(config.kernelSize);
    this.stride = pair(config.stride ?? 1);
    this.padding = config.padding ?? 0;
    this.groups = config.groups ?? 1;
    if (config.inChannels % this.groups !== 0 || config.outChannels % this.groups !== 0) {
      throw new Error(
        `Conv2d: channels ${config.inChannels}→${config.outChannels} are not divisible by groups ${this.groups}`,
      );
    }
    const weight = empty([config.outChannels, config.inChannels / this.groups, ...this.kernelSize]);
    (config.weightInit ?? glorotUniform)(weight, config.generator);
    this.registerParameter("weight", weight);
    this.hasBias = config.bias ?? true;
    if (this.hasBias) this.registerParameter("bias", zeros([config.outChannels]));
  }

  get weight(): Tensor {
    return this.parameter("weight");
  }

  get bias(): Tensor | null {
    return this.hasBias ? this.parameter("bias") : null;
  }

  forward(input: Tensor): Tensor {
    const output = this.#convolve(input);
    // A weight whose strides fit both layouts (one input channel, kept by a run recorded
    // before layoutStrides: nn/module.ts) makes libtorch answer in NCHW, and the rest of a
    // channels_last model would run on NCHW activations (SmallCNN on Fashion-MNIST: max
    // pooling 4× slower). Keep the model's layout; with canonical strides this is a no-op.
    return this.memoryLayout === "channels_last" ? output.contiguous("channels_last") : output;
  }

  #convolve(input: Tensor): Tensor {
    const options = { stride: this.stride, groups: this.groups };
    const strided = this.stride[0] > 1 || this.stride[1] > 1;
    if (this.padding !== "same" || !strided) {
      return F.conv2d(input, this.weight, this.bias, { ...options, padding: this.padding });
    }
    // TensorFlow's strided "same": out = ceil(in / stride), the odd pixel of padding goes
    // bottom/right. PyTorch refuses padding="same" with a stride, so pad explicitly when the
    // split is uneven.
    const [top, bottom] = samePadding(input.shape[2]!, this.kernelSize[0], this.stride[0]);
    const [left, right] = samePadding(input.shape[3]!, this.kernelSize[1], this.stride[1]);
    if (top === bottom && left === right) {
      return F.conv2d(input, this.weight, this.bias, { ...options, padding: [top, left] });
    }
    const padded = F.pad(input, [left, right, top, bottom]);
    return F.conv2d(padded, this.weight, this.bias, { ...options, padding: 0 });
  }
}

/** TensorFlow's SAME padding of one spatial dim: [before, after]. */
export function samePadding(size: number, kernel: number, stride: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

const pair = (value: Pair): [number, number] =>
  typeof value === "number" ? [value, value] : [value[0], value[1]];

/**
 * Residual blocks, named as torchvision names them (conv1, bn1, …, downsample.0/.1), so a
 * ResNet state dict maps onto torchvision's and kuangliu's CIFAR layouts.
 */
import type { Generator, Tensor } from "../../engine/index.js";
import type { WeightInit } from "../init.js";
import { Module } from "../module.js";
import { BatchNorm2d, type BatchNormConfig } from "./batchnorm.js";
import { Conv2d } from "./conv.js";
import { Sequential } from "./sequential.js";

export interface BlockConfig {
  inChannels: number;
  /** Channels of the block's 3×3 convolutions (the output is ×expansion of this). */
  channels: number;
  stride: number;
  batchNorm: BatchNormConfig;
  weightInit: WeightInit;
  /** "same" follows Keras (strided convs pad bottom/right); "torch" pads k//2 on each side. */
  padding: "same" | "torch";
  generator: Generator;
}

function conv(
  config: BlockConfig,
  inChannels: number,
  outChannels: number,
  kernel: number,
  stride: number,
): Conv2d {
  const padding = kernel === 1 ? 0 : config.padding === "same" ? "same" : Math.floor(kernel / 2);
  return new Conv2d({
    inChannels,
    outChannels,
    kernelSize: kernel,
    stride,
    padding,
    bias: false,
    weightInit: config.weightInit,
    generator: config.generator,
  });
}

/** 1×1 strided conv + BN on the shortcut when the shape changes. */
function downsample(config: BlockConfig, outChannels: number): Sequential | null {
  if (config.stride === 1 && config.inChannels === outChannels) return null;
  return new Sequential([
    conv(config, config.inChannels, outChannels, 1, config.stride),
    new BatchNorm2d(outChannels, config.batchNorm),
  ]);
}

/** ResNet18/34's block: two 3×3 convs, identity or projection shortcut, ReLU after the sum. */
export class BasicBlock extends Module {
  static readonly expansion = 1;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly downsample: Sequential | null;

  constructor(config: BlockConfig) {
    super();
    const { channels } = config;
    this.conv1 = this.registerModule(
      "conv1",
      conv(config, config.inChannels, channels, 3, config.stride),
    );
    this.bn1 = this.registerModule("bn1", new BatchNorm2d(channels, config.batchNorm));
    this.conv2 = this.registerModule("conv2", conv(config, channels, channels, 3, 1));
    this.bn2 = this.registerModule("bn2", new BatchNorm2d(channels, config.batchNorm));
    const shortcut = downsample(config, channels);
    this.downsample = shortcut === null ? null : this.registerModule("downsample", shortcut);
  }

  forward(input: Tensor): Tensor {
    const main = this.bn2.forward(
      this.conv2.forward(this.bn1.forward(this.conv1.forward(input)).relu()),
    );
    const identity = this.downsample === null ? input : this.downsample.forward(input);
    return main.add(identity).relu();
  }
}

/** ResNet50's block (v1.5, as torchvision and TF Model Garden): the stride sits on the 3×3. */
export class Bottleneck extends Module {
  static readonly expansion = 4;
  readonly conv1: Conv2d;
  readonly bn1: BatchNorm2d;
  readonly conv2: Conv2d;
  readonly bn2: BatchNorm2d;
  readonly conv3: Conv2d;
  readonly bn3: BatchNorm2d;
  readonly downsample: Sequential | null;

  constructor(config: BlockConfig) {
    super();
    const { channels } = config;
    const out = channels * Bottleneck.expansion;
    this.conv1 = this.registerModule("conv1", conv(config, config.inChannels, channels, 1, 1));
    this.bn1 = this.registerModule("bn1", new BatchNorm2d(channels, config.batchNorm));
    this.conv2 = this.registerModule("conv2", conv(config, channels, channels, 3, config.stride));
    this.bn2 = this.registerModule("bn2", new BatchNorm2d(channels, config.batchNorm));
    this.conv3 = this.registerModule("conv3", conv(config, channels, out, 1, 1));
    this.bn3 = this.registerModule("bn3", new BatchNorm2d(out, config.batchNorm));
    const shortcut = downsample(config, out);
    this.downsample = shortcut === null ? null : this.registerModule("downsample", shortcut);
  }

  forward(input: Tensor): Tensor {
    let x = this.bn1.forward(this.conv1.forward(input)).relu();
    x = this.bn2.forward(this.conv2.forward(x)).relu();
    x = this.bn3.forward(this.conv3.forward(x));
    const identity = this.downsample === null ? input : this.downsample.forward(input);
    return x.add(identity).relu();
  }
}

export type BlockClass = (typeof BasicBlock | typeof Bottleneck) & {
  new (config: BlockConfig): BasicBlock | Bottleneck;
};

import type { ModelDescriptor } from "../../contract/model-descriptor.js";
import type { Generator, Tensor } from "../../engine/index.js";
import { type LayoutStrides, type ModelMemoryFormat, Module } from "../module.js";

/** Channels, height, width of one input image. */
export type InputShape = readonly [number, number, number];

/** What the last layer stood for in the original: its activation is folded into the loss. */
export type Head = "softmax" | "sigmoid";

/** Options every model takes; each model reads the ones it uses and says its defaults. */
export interface ModelOptions {
  /** The initialiser's generator (the "init" noise source). */
  generator: Generator;
  classes?: number;
  inputShape?: InputShape;
  /** Recorded with runs: the layout changes the kernels and so the bits. */
  memoryFormat?: ModelMemoryFormat;
  /** How the layout is given to tensors it already fits (module.ts); canonical unless told. */
  layoutStrides?: LayoutStrides;
  /** Where the weights live ("cpu" unless given); they are drawn on the CPU, then moved. */
  device?: string;
  /** SmallCNN: BatchNorm after each convolution (the original's `--bn`). */
  batchNorm?: boolean;
  /**
   * SmallCNN: the running statistics' momentum in PyTorch's convention (Keras's default 0.99
   * is 0.01 here). Keras's window of ~100 steps lags a short, fast run's weights.
   */
  batchNormMomentum?: number;
  /** ResNet18: softmax (CIFAR) or sigmoid (CelebA, multi-label) outputs. */
  head?: Head;
  /** MediumCNN: the convolution kernel size k. */
  kernelSize?: number;
  /**
   * VGG, MobileNet, EfficientNetB0: dropout rate before the classifier (VGG in Keras
   * applications: 0, torchvision: 0.5; EfficientNetB0: 0.2 when a dropoutGenerator is given).
   */
  dropout?: number;
  /**
   * EfficientNetB0: drop-connect (stochastic depth) rate, scaled by block index as Keras does
   * (Keras: 0.2; here 0.2 when a dropoutGenerator is given, else 0).
   */
  dropConnect?: number;
  /** The generator of dropout masks, needed when dropout (or dropConnect) > 0. */
  dropoutGenerator?: Generator;
}

export interface ModelSpec {
  classes: number;
  inputShape: InputShape;
  head: Head;
  memoryFormat: ModelMemoryFormat;
}

/**
 * A whole network: maps a batch [N, C, H, W] to logits [N, classes]. The original's final
 * softmax/sigmoid layer is not part of the model; `head` says which the loss applies.
 */
export abstract class Model extends Module {
  abstract readonly name: string;
  readonly classes: number;
  readonly inputShape: InputShape;
  readonly head: Head;
  readonly memoryFormat: ModelMemoryFormat;

  constructor(spec: ModelSpec) {
    super();
    this.classes = spec.classes;
    this.inputShape = spec.inputShape;
    this.head = spec.head;
    this.memoryFormat = spec.memoryFormat;
  }

  protected abstract logits(input: Tensor): Tensor;

  /** Puts the input in the model's memory layout (a no-op when it already is), then runs. */
  forward(input: Tensor): Tensor {
    const [channels, height, width] = this.inputShape;
    if (input.ndim !== 4 || input.shape[1] !== channels) {
      throw new Error(
        `${this.name}: expected input [N, ${channels}, ${height}, ${width}], got [${input.shape}]`,
      );
    }
    return this.logits(input.contiguous(this.memoryFormat));
  }
}

/** Resolves the options every model shares, with the model's defaults. */
export function resolveSpec(
  options: ModelOptions,
  defaults: { classes: number; inputShape: InputShape; head?: Head },
): ModelSpec {
  const classes = options.classes ?? defaults.classes;
  if (!Number.isInteger(classes) || classes < 1) {
    throw new RangeError(`classes must be a positive integer, got ${classes}`);
  }
  return {
    classes,
    inputShape: options.inputShape ?? defaults.inputShape,
    head: options.head ?? defaults.head ?? "softmax",
    memoryFormat: options.memoryFormat ?? "contiguous",
  };
}

/** A model of the zoo: the facts every layer reads, and how to build it. */
export interface ZooModel {
  descriptor: ModelDescriptor;
  /** Builds the model, initialised from options.generator, in options.memoryFormat. */
  create(options: ModelOptions): Model;
}

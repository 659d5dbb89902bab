/**
 * The functional ops of CNN training, named as torch.nn.functional names them (camelCase).
 * Each returns a new tensor owned by the current scope.
 */
import type { Generator } from "./generator.js";
import { native, type Reduction } from "./native.js";
import { Tensor } from "./tensor.js";

type Pair = number | readonly [number, number];
const pair = (value: Pair): number[] => (typeof value === "number" ? [value, value] : [...value]);
const orNull = (t: Tensor | null | undefined) => t?.handle ?? null;

export interface Conv2dOptions {
  stride?: Pair;
  /** Integers, or "same" / "valid" as in PyTorch (and Keras's padding names). */
  padding?: Pair | "same" | "valid";
  dilation?: Pair;
  groups?: number;
}

export function conv2d(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null = null,
  options: Conv2dOptions = {},
): Tensor {
  const padding = options.padding ?? 0;
  return Tensor.wrap(
    native.conv2d(
      input.handle,
      weight.handle,
      orNull(bias),
      pair(options.stride ?? 1),
      typeof padding === "string" ? padding : pair(padding),
      pair(options.dilation ?? 1),
      options.groups ?? 1,
    ),
  );
}

export interface Pool2dOptions {
  /** Defaults to the kernel size, as in PyTorch. */
  stride?: Pair;
  padding?: Pair;
  ceilMode?: boolean;
}

export function maxPool2d(
  input: Tensor,
  kernel: Pair,
  options: Pool2dOptions & { dilation?: Pair } = {},
): Tensor {
  return Tensor.wrap(
    native.maxPool2d(
      input.handle,
      pair(kernel),
      pair(options.stride ?? kernel),
      pair(options.padding ?? 0),
      pair(options.dilation ?? 1),
      options.ceilMode ?? false,
    ),
  );
}

/**
 * ReLU of 2×2 max pooling (stride 2, no padding): the numbers of `maxPool2d(input, 2).relu()`
 * and of its backward, bit for bit. On float32 CPU tensors in NCHW or channels_last it runs as
 * one native pass each way (native/src/relu-max-pool.cc); elsewhere as ATen's two ops.
 */
export function reluMaxPool2x2(input: Tensor): Tensor {
  return Tensor.wrap(native.reluMaxPool2x2(input.handle));
}

export function avgPool2d(
  input: Tensor,
  kernel: Pair,
  options: Pool2dOptions & { countIncludePad?: boolean } = {},
): Tensor {
  return Tensor.wrap(
    native.avgPool2d(
      input.handle,
      pair(kernel),
      pair(options.stride ?? kernel),
      pair(options.padding ?? 0),
      options.ceilMode ?? false,
      options.countIncludePad ?? true,
    ),
  );
}

export function adaptiveAvgPool2d(input: Tensor, outputSize: Pair): Tensor {
  return Tensor.wrap(native.adaptiveAvgPool2d(input.handle, pair(outputSize)));
}

export interface BatchNormOptions {
  weight?: Tensor | null;
  bias?: Tensor | null;
  runningMean?: Tensor | null;
  runningVar?: Tensor | null;
  training: boolean;
  momentum?: number;
  eps?: number;
}

/** In training, uses batch statistics and updates the running ones in place (PyTorch's rule). */
export function batchNorm(input: Tensor, options: BatchNormOptions): Tensor {
  return Tensor.wrap(
    native.batchNorm(
      input.handle,
      orNull(options.weight),
      orNull(options.bias),
      orNull(options.runningMean),
      orNull(options.runningVar),
      options.training,
      options.momentum ?? 0.1,
      options.eps ?? 1e-5,
    ),
  );
}

export function linear(input: Tensor, weight: Tensor, bias: Tensor | null = null): Tensor {
  return Tensor.wrap(native.linear(input.handle, weight.handle, orNull(bias)));
}

export const relu = (x: Tensor): Tensor => Tensor.wrap(native.relu(x.handle));
export const sigmoid = (x: Tensor): Tensor => Tensor.wrap(native.sigmoid(x.handle));
export const silu = (x: Tensor): Tensor => Tensor.wrap(native.silu(x.handle));
export const relu6 = (x: Tensor): Tensor => Tensor.wrap(native.hardtanh(x.handle, 0, 6));
export const leakyRelu = (x: Tensor, negativeSlope = 0.01): Tensor =>
  Tensor.wrap(native.leakyRelu(x.handle, negativeSlope));
export const softmax = (x: Tensor, dim: number): Tensor =>
  Tensor.wrap(native.softmax(x.handle, dim));
export const logSoftmax = (x: Tensor, dim: number): Tensor =>
  Tensor.wrap(native.logSoftmax(x.handle, dim));

/** Inverted dropout; the mask comes from the given generator. */
export function dropout(input: Tensor, p: number, generator: Generator, training = true): Tensor {
  return Tensor.wrap(native.dropout(input.handle, p, generator.handle, training));
}

/** Pads the last dims; pads are given last dim first, as torch.nn.functional.pad. */
export function pad(
  input: Tensor,
  pads: readonly number[],
  mode: "constant" | "reflect" | "replicate" = "constant",
  value = 0,
): Tensor {
  return Tensor.wrap(native.pad(input.handle, [...pads], mode, value));
}

export function flip(input: Tensor, dims: readonly number[]): Tensor {
  return input.flip(dims);
}

/** int64 indices -> int64 one-hot rows. */
export function oneHot(indices: Tensor, classes: number): Tensor {
  return Tensor.wrap(native.oneHot(indices.handle, classes));
}

export interface LossOptions {
  reduction?: Reduction;
  weight?: Tensor | null;
}

/** Cross-entropy from logits; target holds class indices (int64) or probabilities. */
export function crossEntropy(
  logits: Tensor,
  target: Tensor,
  options: LossOptions & { labelSmoothing?: number } = {},
): Tensor {
  return Tensor.wrap(
    native.crossEntropy(
      logits.handle,
      target.handle,
      orNull(options.weight),
      options.reduction ?? "mean",
      options.labelSmoothing ?? 0,
    ),
  );
}

export function nllLoss(
  logProbabilities: Tensor,
  target: Tensor,
  options: LossOptions = {},
): Tensor {
  return Tensor.wrap(
    native.nllLoss(
      logProbabilities.handle,
      target.handle,
      orNull(options.weight),
      options.reduction ?? "mean",
    ),
  );
}

/** Binary cross-entropy on logits, for multi-label heads (sigmoid outputs). */
export function binaryCrossEntropyWithLogits(
  logits: Tensor,
  target: Tensor,
  options: LossOptions & { posWeight?: Tensor | null } = {},
): Tensor {
  return Tensor.wrap(
    native.binaryCrossEntropyWithLogits(
      logits.handle,
      target.handle,
      orNull(options.weight),
      orNull(options.posWeight),
      options.reduction ?? "mean",
    ),
  );
}

export function mseLoss(input: Tensor, target: Tensor, reduction: Reduction = "mean"): Tensor {
  return Tensor.wrap(native.mseLoss(input.handle, target.handle, reduction));
}

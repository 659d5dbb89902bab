/**
 * The ops an imported graph needs beyond nnr's own layers (native/src/graph-ops.cc): convolution
 * and pooling of any spatial rank (1-D, 2-D, 3-D, by the kernel's length), layer normalisation,
 * GELU and erf. Each returns a new tensor owned by the current scope.
 */
import { native } from "./native.js";
import { Tensor } from "./tensor.js";

export interface ConvNdOptions {
  stride: readonly number[];
  /** One per spatial dim, applied on both sides. */
  padding: readonly number[];
  dilation: readonly number[];
  groups: number;
}

export function convNd(
  input: Tensor,
  weight: Tensor,
  bias: Tensor | null,
  options: ConvNdOptions,
): Tensor {
  return Tensor.wrap(
    native.convolution(
      input.handle,
      weight.handle,
      bias?.handle ?? null,
      [...options.stride],
      [...options.padding],
      [...options.dilation],
      options.groups,
    ),
  );
}

export interface PoolNdOptions {
  stride: readonly number[];
  padding: readonly number[];
  ceilMode: boolean;
}

export function maxPoolNd(
  input: Tensor,
  kernel: readonly number[],
  options: PoolNdOptions & { dilation: readonly number[] },
): Tensor {
  return Tensor.wrap(
    native.maxPoolNd(
      input.handle,
      [...kernel],
      [...options.stride],
      [...options.padding],
      [...options.dilation],
      options.ceilMode,
    ),
  );
}

export function avgPoolNd(
  input: Tensor,
  kernel: readonly number[],
  options: PoolNdOptions & { countIncludePad: boolean },
): Tensor {
  return Tensor.wrap(
    native.avgPoolNd(
      input.handle,
      [...kernel],
      [...options.stride],
      [...options.padding],
      options.ceilMode,
      options.countIncludePad,
    ),
  );
}

/** Normalises over the trailing dims named by normalizedShape, as torch.nn.functional.layer_norm. */
export function layerNorm(
  input: Tensor,
  normalizedShape: readonly number[],
  weight: Tensor | null,
  bias: Tensor | null,
  eps: number,
): Tensor {
  return Tensor.wrap(
    native.layerNorm(
      input.handle,
      [...normalizedShape],
      weight?.handle ?? null,
      bias?.handle ?? null,
      eps,
    ),
  );
}

export const gelu = (input: Tensor, approximate: "none" | "tanh" = "none"): Tensor =>
  Tensor.wrap(native.gelu(input.handle, approximate));

export const erf = (input: Tensor): Tensor => Tensor.wrap(native.erf(input.handle));

/**
 * Conv, MaxPool, AveragePool and GlobalAveragePool, of any spatial rank (1-D to 3-D).
 * ONNX's pads may differ at the two ends of a dim and auto_pad may ask for SAME padding;
 * libtorch's take one pad per dim, so an uneven pad is applied first as a pad op.
 */
import { F, G, ones, type Tensor } from "../../engine/index.js";
import {
  attrInt,
  attrInts,
  attrString,
  nodeError,
  type Op,
  type OpContext,
  required,
} from "./context.js";

interface Window {
  kernel: number[];
  strides: number[];
  dilations: number[];
  /** Begin pads then end pads, one per spatial dim, as ONNX lays them out. */
  pads: number[];
}

function windowOf(ctx: OpContext, x: Tensor, kernel: readonly number[]): Window {
  const rank = kernel.length;
  const strides = [...(attrInts(ctx, "strides") ?? new Array(rank).fill(1))];
  const dilations = [...(attrInts(ctx, "dilations") ?? new Array(rank).fill(1))];
  if (strides.length !== rank || dilations.length !== rank) {
    throw nodeError(ctx, `strides and dilations need ${rank} values`);
  }
  const autoPad = attrString(ctx, "auto_pad", "NOTSET");
  const spatial = x.shape.slice(2);
  let pads: number[];
  if (autoPad === "NOTSET") pads = [...(attrInts(ctx, "pads") ?? new Array(2 * rank).fill(0))];
  else if (autoPad === "VALID") pads = new Array(2 * rank).fill(0);
  else if (autoPad === "SAME_UPPER" || autoPad === "SAME_LOWER") {
    pads = samePads(spatial, kernel, strides, dilations, autoPad === "SAME_UPPER");
  } else
    throw nodeError(ctx, `auto_pad '${autoPad}' is not NOTSET, VALID, SAME_UPPER or SAME_LOWER`);
  if (pads.length !== 2 * rank) throw nodeError(ctx, `pads need ${2 * rank} values`);
  return { kernel: [...kernel], strides, dilations, pads };
}

function samePads(
  spatial: readonly number[],
  kernel: readonly number[],
  strides: readonly number[],
  dilations: readonly number[],
  upper: boolean,
): number[] {
  const begin: number[] = [];
  const end: number[] = [];
  spatial.forEach((size, i) => {
    const span = (kernel[i]! - 1) * dilations[i]! + 1;
    const total = Math.max(0, (Math.ceil(size / strides[i]!) - 1) * strides[i]! + span - size);
    const small = Math.floor(total / 2);
    begin.push(upper ? small : total - small);
    end.push(upper ? total - small : small);
  });
  return [...begin, ...end];
}

/** Pads as F.pad takes them: last dim first, begin then end. */
function torchPads(pads: readonly number[]): number[] {
  const rank = pads.length / 2;
  const out: number[] = [];
  for (let i = rank - 1; i >= 0; i--) out.push(pads[i]!, pads[i + rank]!);
  return out;
}

const isEven = (w: Window) => {
  const rank = w.kernel.length;
  return w.pads.slice(0, rank).every((p, i) => p === w.pads[i + rank]);
};

/** The input padded where pads are uneven (or too large for libtorch), and the pads left. */
function padded(x: Tensor, w: Window, value: number, force = false): [Tensor, number[]] {
  const rank = w.kernel.length;
  if (isEven(w) && !force) return [x, w.pads.slice(0, rank)];
  return [F.pad(x, torchPads(w.pads), "constant", value), new Array(rank).fill(0)];
}

const conv: Op = (inputs, ctx) => {
  const x = required(inputs, 0, ctx);
  const weight = required(inputs, 1, ctx);
  const kernel = attrInts(ctx, "kernel_shape") ?? weight.shape.slice(2);
  const w = windowOf(ctx, x, kernel);
  const [input, padding] = padded(x, w, 0);
  return [
    G.convNd(input, weight, inputs[2] ?? null, {
      stride: w.strides,
      padding,
      dilation: w.dilations,
      groups: attrInt(ctx, "group", 1),
    }),
  ];
};

function kernelOf(ctx: OpContext): readonly number[] {
  const kernel = attrInts(ctx, "kernel_shape");
  if (kernel === undefined || kernel.length < 1 || kernel.length > 3) {
    throw nodeError(ctx, "kernel_shape must give 1 to 3 sizes");
  }
  return kernel;
}

/** libtorch refuses a pad over half the kernel; such pads are applied as a pad op. */
const padTooLarge = (w: Window) =>
  w.pads.some((p, i) => p > Math.floor(w.kernel[i % w.kernel.length]! / 2));

const maxPool: Op = (inputs, ctx) => {
  const x = required(inputs, 0, ctx);
  if (attrInt(ctx, "storage_order", 0) !== 0)
    throw nodeError(ctx, "storage_order 1 is not supported");
  const w = windowOf(ctx, x, kernelOf(ctx));
  const [input, padding] = padded(x, w, Number.NEGATIVE_INFINITY, padTooLarge(w));
  return [
    G.maxPoolNd(input, w.kernel, {
      stride: w.strides,
      padding,
      dilation: w.dilations,
      ceilMode: attrInt(ctx, "ceil_mode", 0) !== 0,
    }),
  ];
};

const averagePool: Op = (inputs, ctx) => {
  const x = required(inputs, 0, ctx);
  const w = windowOf(ctx, x, kernelOf(ctx));
  if (w.dilations.some((d) => d !== 1))
    throw nodeError(ctx, "dilated AveragePool is not supported");
  const countPad = attrInt(ctx, "count_include_pad", 0) !== 0;
  const options = { stride: w.strides, ceilMode: attrInt(ctx, "ceil_mode", 0) !== 0 };
  if (isEven(w) && !padTooLarge(w)) {
    const padding = w.pads.slice(0, w.kernel.length);
    return [G.avgPoolNd(x, w.kernel, { ...options, padding, countIncludePad: countPad })];
  }
  const [input, padding] = padded(x, w, 0, true);
  const sums = G.avgPoolNd(input, w.kernel, { ...options, padding, countIncludePad: true });
  if (countPad) return [sums];
  // Average over the real elements only: the mean of the padded input over the mean of a mask.
  const mask = F.pad(
    ones([1, 1, ...x.shape.slice(2)], { dtype: x.dtype, device: x.device }),
    torchPads(w.pads),
  );
  const counts = G.avgPoolNd(mask, w.kernel, { ...options, padding, countIncludePad: true });
  return [sums.div(counts)];
};

const globalAveragePool: Op = (inputs, ctx) => {
  const x = required(inputs, 0, ctx);
  const dims = Array.from({ length: x.ndim - 2 }, (_, i) => i + 2);
  return [x.mean(dims, true)];
};

export const CONV_POOL_OPS: Readonly<Record<string, Op>> = {
  Conv: conv,
  MaxPool: maxPool,
  AveragePool: averagePool,
  GlobalAveragePool: globalAveragePool,
};

/** Pad, ReduceMean and Constant. */
import { F, isFloatingDtype, type Tensor, tensor } from "../../engine/index.js";
import type { OnnxTensor } from "../tensor-data.js";
import {
  attrFloat,
  attrInt,
  attrInts,
  attrString,
  axisIn,
  intsOf,
  nodeError,
  type Op,
  type OpContext,
  required,
} from "./context.js";

const MODES: Readonly<Record<string, "constant" | "reflect" | "replicate">> = {
  constant: "constant",
  reflect: "reflect",
  edge: "replicate",
};

const pad: Op = (inputs, ctx) => {
  const x = required(inputs, 0, ctx);
  const modeName = attrString(ctx, "mode", "constant");
  const mode = MODES[modeName];
  if (mode === undefined) throw nodeError(ctx, `mode '${modeName}' is not supported`);
  const given = intsOf(required(inputs, 1, ctx));
  const axes = inputs[3]
    ? intsOf(inputs[3]).map((a) => axisIn(a, x.ndim, ctx))
    : x.shape.map((_, i) => i);
  if (given.length !== 2 * axes.length) throw nodeError(ctx, `pads need ${2 * axes.length} values`);
  const begin = new Array(x.ndim).fill(0);
  const end = new Array(x.ndim).fill(0);
  axes.forEach((axis, i) => {
    begin[axis] = given[i]!;
    end[axis] = given[i + axes.length]!;
  });
  const value = inputs[2] ? inputs[2].item() : 0;
  // F.pad: last dim first; constant padding takes any number of dims, the others the last two.
  const last = mode === "constant" ? 0 : x.ndim - 2;
  if (begin.slice(0, last).some((p) => p !== 0) || end.slice(0, last).some((p) => p !== 0)) {
    throw nodeError(ctx, `mode '${modeName}' pads only the last two dims`);
  }
  const torchPads: number[] = [];
  for (let d = x.ndim - 1; d >= last; d--) torchPads.push(begin[d], end[d]);
  if (mode === "constant" || isFloatingDtype(x.dtype)) return [F.pad(x, torchPads, mode, value)];
  // libtorch reflects and replicates floats only: integers go through float64 (exact to 2^53).
  return [F.pad(x.to({ dtype: "float64" }), torchPads, mode, value).to({ dtype: x.dtype })];
};

const reduceMean: Op = (inputs, ctx) => {
  const x = required(inputs, 0, ctx);
  const keep = attrInt(ctx, "keepdims", 1) !== 0;
  const given =
    ctx.opset >= 18 ? (inputs[1] ? intsOf(inputs[1]) : []) : [...(attrInts(ctx, "axes") ?? [])];
  if (given.length === 0) {
    if (attrInt(ctx, "noop_with_empty_axes", 0) !== 0) return [x];
    return [
      x.mean(
        x.shape.map((_, i) => i),
        keep,
      ),
    ];
  }
  return [x.mean([...new Set(given.map((a) => axisIn(a, x.ndim, ctx)))], keep)];
};

/** A Constant node's value, from whichever of its attributes it has. */
export function constantValue(ctx: OpContext): Tensor {
  const attributes = ctx.node.attributes;
  const value = attributes.get("value");
  if (value?.kind === "tensor") return fromOnnx(value.value);
  if (attributes.has("value_float")) return tensor([attrFloat(ctx, "value_float", 0)], []);
  const floats = attributes.get("value_floats");
  if (floats?.kind === "floats")
    return tensor(Float32Array.from(floats.value), [floats.value.length]);
  if (attributes.has("value_int")) {
    return tensor(BigInt64Array.from([BigInt(attrInt(ctx, "value_int", 0))]), []);
  }
  const ints = attrInts(ctx, "value_ints");
  if (ints !== undefined) return tensor(BigInt64Array.from(ints, BigInt), [ints.length]);
  throw nodeError(ctx, "only tensor, float and int values are supported");
}

export function fromOnnx(t: OnnxTensor): Tensor {
  return tensor(t.data, t.dims, { dtype: t.dtype });
}

export const PAD_REDUCE_CONSTANT_OPS: Readonly<Record<string, Op>> = {
  Pad: pad,
  ReduceMean: reduceMean,
  Constant: (_inputs, ctx) => [constantValue(ctx)],
};

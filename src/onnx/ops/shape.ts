/** The shape ops: their shape arguments are small int64 tensors, read back to JavaScript. */
import { cat, dtypeBytes, full, type Tensor, tensor, where } from "../../engine/index.js";
import { dtypeOfOnnx } from "../tensor-data.js";
import {
  attrInt,
  attrInts,
  axisIn,
  checkedShape,
  intsOf,
  nodeError,
  type Op,
  type OpContext,
  required,
} from "./context.js";

const flatten: Op = (inputs, ctx) => {
  const x = required(inputs, 0, ctx);
  const axis = attrInt(ctx, "axis", 1);
  const split = axis < 0 ? axis + x.ndim : axis;
  if (split < 0 || split > x.ndim) throw nodeError(ctx, `axis ${axis} is outside rank ${x.ndim}`);
  const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
  return [x.reshape([product(x.shape.slice(0, split)), product(x.shape.slice(split))])];
};

const reshape: Op = (inputs, ctx) => {
  const x = required(inputs, 0, ctx);
  const allowZero = attrInt(ctx, "allowzero", 0) !== 0;
  const target = intsOf(required(inputs, 1, ctx)).map((d, i) =>
    d === 0 && !allowZero ? (x.shape[i] ?? 0) : d,
  );
  const known = target.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  if (target.filter((d) => d === -1).length > 1 || target.some((d) => d < -1)) {
    throw nodeError(ctx, `shape [${target.join(", ")}] is not a valid target`);
  }
  const shape = target.map((d) => (d === -1 ? (known === 0 ? 0 : x.size / known) : d));
  if (shape.reduce((a, b) => a * b, 1) !== x.size || shape.some((d) => !Number.isInteger(d))) {
    throw nodeError(ctx, `cannot reshape [${x.shape.join(", ")}] to [${target.join(", ")}]`);
  }
  return [x.reshape(shape)];
};

const transpose: Op = (inputs, ctx) => {
  const x = required(inputs, 0, ctx);
  const perm = attrInts(ctx, "perm") ?? x.shape.map((_, i) => x.ndim - 1 - i);
  return [x.permute(perm)];
};

/** Axes from the input (opset 13 on) or, for older graphs, the attribute. */
function axesOf(inputs: readonly (Tensor | null)[], ctx: OpContext, i: number): number[] | null {
  const t = inputs[i];
  if (t !== null && t !== undefined) return intsOf(t);
  const attribute = attrInts(ctx, "axes");
  return attribute === undefined ? null : [...attribute];
}

const squeeze: Op = (inputs, ctx) => {
  const x = required(inputs, 0, ctx);
  const axes = axesOf(inputs, ctx, 1);
  if (axes === null) return [x.reshape(x.shape.filter((d) => d !== 1))];
  const dims = new Set(axes.map((a) => axisIn(a, x.ndim, ctx)));
  return [x.reshape(x.shape.filter((_, i) => !dims.has(i)))];
};

const unsqueeze: Op = (inputs, ctx) => {
  const x = required(inputs, 0, ctx);
  const axes = axesOf(inputs, ctx, 1) ?? [];
  const rank = x.ndim + axes.length;
  const dims = new Set(axes.map((a) => axisIn(a, rank, ctx)));
  const shape: number[] = [];
  let next = 0;
  for (let i = 0; i < rank; i++) shape.push(dims.has(i) ? 1 : x.shape[next++]!);
  return [x.reshape(shape)];
};

const concat: Op = (inputs, ctx) => {
  const parts = inputs.filter((t): t is Tensor => t !== null);
  const rank = required(inputs, 0, ctx).ndim;
  return [cat(parts, axisIn(attrInt(ctx, "axis", 0), rank, ctx))];
};

/** One axis of Slice, with ONNX's clamping; a negative step slices the flipped axis. */
function sliceAxis(x: Tensor, dim: number, start: number, end: number, step: number): Tensor {
  const size = x.shape[dim]!;
  const fix = (v: number, low: number, high: number) =>
    Math.min(Math.max(v < 0 ? v + size : v, low), high);
  if (step > 0) {
    const from = fix(start, 0, size);
    return x.slice(dim, from, Math.max(from, fix(end, 0, size)), step);
  }
  const from = fix(start, 0, size - 1);
  const to = end < -size ? -1 : fix(end, -1, size - 1);
  const flipped = x.flip([dim]);
  const [a, b] = [size - 1 - from, size - 1 - to];
  return flipped.slice(dim, a, Math.max(a, b), -step);
}

const slice: Op = (inputs, ctx) => {
  let x = required(inputs, 0, ctx);
  const starts = intsOf(required(inputs, 1, ctx));
  const ends = intsOf(required(inputs, 2, ctx));
  const axes = inputs[3] ? intsOf(inputs[3]) : starts.map((_, i) => i);
  const steps = inputs[4] ? intsOf(inputs[4]) : starts.map(() => 1);
  axes.forEach((axis, i) => {
    if (steps[i] === 0) throw nodeError(ctx, "a step of 0");
    x = sliceAxis(x, axisIn(axis, x.ndim, ctx), starts[i]!, ends[i]!, steps[i]!);
  });
  return [x];
};

const gather: Op = (inputs, ctx) => {
  const x = required(inputs, 0, ctx);
  const indices = required(inputs, 1, ctx);
  const dim = axisIn(attrInt(ctx, "axis", 0), x.ndim, ctx);
  const size = x.shape[dim]!;
  const flat = indices.reshape([-1]).long();
  const wrapped = where(flat.lt(0), flat.add(size), flat);
  const picked = x.indexSelect(dim, wrapped);
  return [picked.reshape([...x.shape.slice(0, dim), ...indices.shape, ...x.shape.slice(dim + 1)])];
};

const split: Op = (inputs, ctx) => {
  const x = required(inputs, 0, ctx);
  const dim = axisIn(attrInt(ctx, "axis", 0), x.ndim, ctx);
  const size = x.shape[dim]!;
  const count = ctx.node.outputs.length;
  let sizes = inputs[1]
    ? intsOf(inputs[1])
    : attrInts(ctx, "split")
      ? [...attrInts(ctx, "split")!]
      : null;
  if (sizes === null) {
    const parts = attrInt(ctx, "num_outputs", count);
    const each = Math.ceil(size / parts);
    sizes = Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(each, size - i * each)));
  }
  if (sizes.reduce((a, b) => a + b, 0) !== size || sizes.length !== count) {
    throw nodeError(
      ctx,
      `split [${sizes.join(", ")}] does not divide a dim of ${size} into ${count}`,
    );
  }
  let offset = 0;
  return sizes.map((length) => {
    const part = x.narrow(dim, offset, length);
    offset += length;
    return part;
  });
};

const shapeOp: Op = (inputs, ctx) => {
  const x = required(inputs, 0, ctx);
  const clampAxis = (v: number) => Math.min(Math.max(v < 0 ? v + x.ndim : v, 0), x.ndim);
  const start = clampAxis(attrInt(ctx, "start", 0));
  const end = clampAxis(attrInt(ctx, "end", x.ndim));
  const dims = x.shape.slice(start, Math.max(start, end));
  return [tensor(BigInt64Array.from(dims, BigInt), [dims.length], { device: x.device })];
};

const constantOfShape: Op = (inputs, ctx) => {
  const attribute = ctx.node.attributes.get("value");
  const value = attribute?.kind === "tensor" ? attribute.value : null;
  const dtype = value === null ? "float32" : value.dtype;
  const shape = checkedShape(intsOf(required(inputs, 0, ctx)), dtypeBytes[dtype], ctx);
  const fill = value === null ? 0 : Number(value.data[0] ?? 0);
  return [full(shape, fill, { dtype, device: inputs[0]!.device })];
};

const cast: Op = (inputs, ctx) => {
  const x = required(inputs, 0, ctx);
  const dtype = dtypeOfOnnx(attrInt(ctx, "to", 1), `node '${ctx.node.name}' Cast`, {
    file: ctx.file,
    folder: ".",
    allowFloat64: true,
  });
  return [x.dtype === dtype ? x : x.to({ dtype })];
};

/** ONNX's Expand broadcasts both ways: the result has the larger of each dim. */
const expand: Op = (inputs, ctx) => {
  const x = required(inputs, 0, ctx);
  const target = intsOf(required(inputs, 1, ctx));
  const rank = Math.max(x.ndim, target.length);
  const pad = (dims: readonly number[]) => [...new Array(rank - dims.length).fill(1), ...dims];
  const [a, b] = [pad(x.shape), pad(target)];
  const shape = a.map((d, i) => (d === 1 ? b[i]! : d));
  if (a.some((d, i) => d !== 1 && b[i] !== 1 && b[i] !== d)) {
    throw nodeError(ctx, `cannot expand [${x.shape.join(", ")}] to [${target.join(", ")}]`);
  }
  return [x.reshape(a).expand(checkedShape(shape, dtypeBytes[x.dtype], ctx))];
};

const whereOp: Op = (inputs, ctx) => [
  where(required(inputs, 0, ctx), required(inputs, 1, ctx), required(inputs, 2, ctx)),
];

export const SHAPE_OPS: Readonly<Record<string, Op>> = {
  Flatten: flatten,
  Reshape: reshape,
  Transpose: transpose,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Concat: concat,
  Slice: slice,
  Gather: gather,
  Split: split,
  Shape: shapeOp,
  ConstantOfShape: constantOfShape,
  Cast: cast,
  Expand: expand,
  Where: whereOp,
};

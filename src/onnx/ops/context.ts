/** What an op sees besides its inputs: its node, the opset, the mode, and reading helpers. */
import type { Generator, Tensor } from "../../engine/index.js";
import { UserError } from "../../errors.js";
import type { OnnxAttribute, OnnxNode } from "../graph-types.js";
import { elementCount, maxTensorBytes } from "../limits.js";

export interface OpContext {
  readonly node: OnnxNode;
  readonly opset: number;
  readonly file: string;
  /** The module's mode; nodes that train differently (BatchNormalization, Dropout) read it. */
  readonly training: boolean;
  /** Dropout's masks are drawn from this generator, and from nothing else. */
  readonly dropoutGenerator: Generator;
}

/** An op: its inputs (null where an optional one is omitted) to its outputs. */
export type Op = (inputs: readonly (Tensor | null)[], ctx: OpContext) => (Tensor | null)[];

/** A one-line error about a node of the user's model. */
export function nodeError(ctx: OpContext, what: string): UserError {
  return new UserError(
    `${ctx.file}: node '${ctx.node.name}' (${ctx.node.opType}, opset ${ctx.opset}): ${what}`,
  );
}

function attribute(ctx: OpContext, name: string): OnnxAttribute | undefined {
  return ctx.node.attributes.get(name);
}

export function attrInt(ctx: OpContext, name: string, fallback: number): number {
  const a = attribute(ctx, name);
  if (a === undefined) return fallback;
  if (a.kind !== "int") throw nodeError(ctx, `attribute '${name}' must be an integer`);
  return a.value;
}

/**
 * A float attribute. ONNX stores them as float32: the value is the shortest decimal that
 * rounds to the same float32 (0.9, not 0.8999999761581421), the number the exporter was given
 * (PyTorch's eps=1e-5, momentum 1 − 0.1), as PyTorch would compute with it.
 */
export function attrFloat(ctx: OpContext, name: string, fallback: number): number {
  const a = attribute(ctx, name);
  if (a === undefined) return fallback;
  if (a.kind !== "float") throw nodeError(ctx, `attribute '${name}' must be a float`);
  return shortestFloat32Decimal(a.value);
}

export function shortestFloat32Decimal(value: number): number {
  if (!Number.isFinite(value)) return value;
  const single = Math.fround(value);
  for (let digits = 1; digits <= 9; digits++) {
    const decimal = Number(single.toPrecision(digits));
    if (Math.fround(decimal) === single) return decimal;
  }
  return single;
}

export function attrInts(ctx: OpContext, name: string): readonly number[] | undefined {
  const a = attribute(ctx, name);
  if (a === undefined) return undefined;
  if (a.kind !== "ints") throw nodeError(ctx, `attribute '${name}' must be a list of integers`);
  return a.value;
}

export function attrString(ctx: OpContext, name: string, fallback: string): string {
  const a = attribute(ctx, name);
  if (a === undefined) return fallback;
  if (a.kind !== "string") throw nodeError(ctx, `attribute '${name}' must be a string`);
  return a.value;
}

export function required(inputs: readonly (Tensor | null)[], i: number, ctx: OpContext): Tensor {
  const t = inputs[i];
  if (t === null || t === undefined) throw nodeError(ctx, `input ${i} is missing`);
  return t;
}

/** The values of a small integer tensor (axes, shapes, pads), read back to JavaScript. */
export function intsOf(t: Tensor): number[] {
  return t.toArray().map((v) => Math.trunc(v));
}

/** A (possibly negative) axis as a dim index in [0, rank), or a one-line error. */
export function axisIn(axis: number, rank: number, ctx: OpContext): number {
  const dim = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(dim) || dim < 0 || dim >= Math.max(rank, 1)) {
    throw nodeError(ctx, `axis ${axis} is outside a tensor of rank ${rank}`);
  }
  return dim;
}

/** Refuses a shape a data-dependent op (ConstantOfShape, Expand, Reshape) would allocate. */
export function checkedShape(shape: readonly number[], bytesPerElement: number, ctx: OpContext) {
  const count = elementCount(shape);
  if (count === null || count * bytesPerElement > maxTensorBytes()) {
    throw nodeError(ctx, `shape [${shape.join(", ")}] is invalid or too large to allocate`);
  }
  return [...shape];
}

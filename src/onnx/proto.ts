/**
 * ONNX's protobuf messages, decoded by onnx-proto (protobufjs's generated reader for onnx.proto).
 * The one place that touches the package: the rest of src/onnx reads plain objects.
 */
import { createRequire } from "node:module";
import type { onnx } from "onnx-proto";

const require = createRequire(import.meta.url);
const generated = require("onnx-proto") as { onnx: typeof onnx };

export type ModelProto = onnx.ModelProto;
export type GraphProto = onnx.IGraphProto;
export type NodeProto = onnx.INodeProto;
export type TensorProto = onnx.ITensorProto;
export type AttributeProto = onnx.IAttributeProto;
export type ValueInfoProto = onnx.IValueInfoProto;

/** Decodes a ModelProto; throws protobufjs's error (or a RangeError) on bytes that are not one. */
export function decodeModel(bytes: Uint8Array): ModelProto {
  return generated.onnx.ModelProto.decode(bytes);
}

export const AttributeType = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
} as const;

/** A protobuf int64 (a number, or a Long from protobufjs) as a number, or null past 2^53. */
export function int64(value: number | { toNumber(): number; high: number } | null | undefined) {
  if (value === null || value === undefined) return 0;
  if (typeof value === "number") return Number.isSafeInteger(value) ? value : null;
  const n = value.toNumber();
  return Number.isSafeInteger(n) ? n : null;
}

/** Decodes a lone TensorProto (ONNX's test data files, input_0.pb, …). */
export function decodeTensorProto(bytes: Uint8Array): TensorProto {
  return generated.onnx.TensorProto.decode(bytes);
}

/** Encodes a ModelProto (for building models in tests and for export). */
export function encodeModel(model: onnx.IModelProto): Uint8Array {
  return generated.onnx.ModelProto.encode(model).finish();
}

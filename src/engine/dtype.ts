import type { DTypeName } from "./native.js";

export type { DTypeName as DType } from "./native.js";

export type TypedArray =
  | Float32Array
  | Float64Array
  | BigInt64Array
  | Int32Array
  | Uint8Array
  | Uint16Array;

/** Bytes per element of each dtype. */
export const dtypeBytes: Record<DTypeName, number> = {
  float32: 4,
  float64: 8,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  uint8: 1,
  bool: 1,
};

export function isFloatingDtype(dtype: DTypeName): boolean {
  return dtype === "float32" || dtype === "float64" || dtype === "float16" || dtype === "bfloat16";
}

/** A view of raw element bytes as the typed array that matches the dtype (half types as raw bits). */
export function viewAs(buffer: ArrayBuffer, dtype: DTypeName): TypedArray {
  switch (dtype) {
    case "float32":
      return new Float32Array(buffer);
    case "float64":
      return new Float64Array(buffer);
    case "int64":
      return new BigInt64Array(buffer);
    case "int32":
      return new Int32Array(buffer);
    case "uint8":
    case "bool":
      return new Uint8Array(buffer);
    case "float16":
    case "bfloat16":
      return new Uint16Array(buffer);
  }
}

/** The dtype a typed array naturally holds (Uint8Array is uint8; pass "bool" explicitly). */
export function dtypeOf(data: ArrayBufferView): DTypeName {
  if (data instanceof Float32Array) return "float32";
  if (data instanceof Float64Array) return "float64";
  if (data instanceof BigInt64Array) return "int64";
  if (data instanceof Int32Array) return "int32";
  if (data instanceof Uint8Array) return "uint8";
  throw new TypeError(
    "tensor data must be a Float32Array, Float64Array, BigInt64Array, Int32Array or Uint8Array",
  );
}

import { type DType, type Tensor, tensor } from "../../src/engine/index.js";

export interface TensorJson {
  shape: number[];
  dtype: string;
  data: number[];
}

const dtypeNames: Record<string, DType> = {
  float32: "float32",
  float64: "float64",
  int64: "int64",
  bool: "bool",
};

/** A tensor from a PyTorch fixture (tensor_json in scripts/fixtures). */
export function fromJson(json: TensorJson): Tensor {
  const dtype = dtypeNames[json.dtype];
  if (dtype === undefined) throw new Error(`fixture dtype ${json.dtype} not supported`);
  if (dtype === "int64")
    return tensor(
      BigInt64Array.from(json.data, (v) => BigInt(v)),
      json.shape,
    );
  if (dtype === "float64") return tensor(Float64Array.from(json.data), json.shape);
  if (dtype === "bool")
    return tensor(Uint8Array.from(json.data, Number), json.shape, { dtype: "bool" });
  return tensor(Float32Array.from(json.data), json.shape);
}

/**
 * Largest violation of |actual - expected| <= atol + rtol * |expected| (0 when all pass),
 * as numpy.allclose; NaN never passes.
 */
export function worstViolation(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  atol: number,
  rtol: number,
): number {
  if (actual.length !== expected.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]);
    const e = Number(expected[i]);
    const excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
    if (Number.isNaN(excess)) return Number.POSITIVE_INFINITY;
    if (excess > worst) worst = excess;
  }
  return worst;
}

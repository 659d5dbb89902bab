import type { SafetensorsFile } from "../../io/safetensors.js";
import { type PairMatrix, pairMatrix } from "./pairwise.js";

/**
 * Batch-norm running statistics and step counters are buffers, not trained weights: they
 * are left out of the flattened vector that L2 compares. PyTorch names them running_mean,
 * running_var, num_batches_tracked; Keras (the original's .h5) moving_mean:0, moving_variance:0.
 */
const NOT_TRAINED =
  /(^|[./])(running_mean|running_var|num_batches_tracked|moving_mean(:\d+)?|moving_variance(:\d+)?)$/;

export interface FlatWeights {
  /** "name:shape;..." of the tensors included, so runs with different models are caught. */
  layout: string;
  values: Float32Array;
}

/** A named tensor of weights, from either checkpoint format. */
export interface WeightTensor {
  shape: readonly number[];
  data: ArrayLike<number>;
}

/** Flattens the trained tensors, in name order, into one vector. */
export function flattenNamedWeights(tensors: ReadonlyMap<string, WeightTensor>): FlatWeights {
  const names = [...tensors.keys()].filter((name) => !NOT_TRAINED.test(name)).sort();
  const total = names.reduce((sum, name) => sum + tensors.get(name)!.data.length, 0);
  const values = new Float32Array(total);
  let offset = 0;
  for (const name of names) {
    const data = tensors.get(name)!.data;
    values.set(data, offset);
    offset += data.length;
  }
  const layout = names.map((name) => `${name}:${tensors.get(name)!.shape.join("x")}`);
  return { layout: layout.join(";"), values };
}

/** Flattens a safetensors checkpoint's floating-point trained tensors. */
export function flattenWeights(file: SafetensorsFile): FlatWeights {
  const floating = new Map<string, WeightTensor>();
  for (const [name, tensor] of file.tensors) {
    if (tensor.dtype === "F32" || tensor.dtype === "F64" || tensor.dtype === "F16")
      floating.set(name, tensor as WeightTensor);
  }
  return flattenNamedWeights(floating);
}

/** Euclidean distance, accumulated in float64. */
export function l2Distance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`l2Distance: lengths ${a.length} and ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(sum);
}

/** ‖w_i − w_j‖₂ for every pair of runs; the mean over pairs is the L2 metric. */
export function l2Matrix(weights: readonly ArrayLike<number>[]): PairMatrix {
  return pairMatrix(weights.length, (i, j) => l2Distance(weights[i]!, weights[j]!));
}

export interface BitIdentity {
  /** True when every run has the same hash; null when some run has no hash. */
  identical: boolean | null;
  distinctHashes: number;
  runsWithHash: number;
}

export function bitIdentity(hashes: readonly (string | undefined)[]): BitIdentity {
  const known = hashes.filter((hash): hash is string => hash !== undefined);
  const distinctHashes = new Set(known).size;
  return {
    identical: known.length < hashes.length || known.length === 0 ? null : distinctHashes === 1,
    distinctHashes,
    runsWithHash: known.length,
  };
}

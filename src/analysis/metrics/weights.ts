import type { SafetensorsFile } from "../../io/safetensors.js";
import { type PairMatrix, pairMatrix } from "./pairwise.js";

/**
 * Batch-norm running statistics and step counters are buffers, not trained weights: they
 * are left out of the flattened vector that L2 compares.
 */
const NOT_TRAINED = /(^|\.)(running_mean|running_var|num_batches_tracked)$/;

export interface FlatWeights {
  /** "name:shape;..." of the tensors included, so runs with different models are caught. */
  layout: string;
  values: Float32Array;
}

/** Flattens the floating-point trained tensors, in name order, into one vector. */
export function flattenWeights(file: SafetensorsFile): FlatWeights {
  const names = [...file.tensors.keys()]
    .filter((name) => !NOT_TRAINED.test(name))
    .filter((name) => {
      const dtype = file.tensors.get(name)!.dtype;
      return dtype === "F32" || dtype === "F64" || dtype === "F16";
    })
    .sort();
  const total = names.reduce((sum, name) => sum + file.tensors.get(name)!.data.length, 0);
  const values = new Float32Array(total);
  let offset = 0;
  for (const name of names) {
    const data = file.tensors.get(name)!.data as Float32Array | Float64Array;
    values.set(data, offset);
    offset += data.length;
  }
  const layout = names.map((name) => `${name}:${file.tensors.get(name)!.shape.join("x")}`);
  return { layout: layout.join(";"), values };
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

/**
 * Evaluation split over the ranks of a data-parallel run: rank r evaluates the r-th contiguous
 * range of the test set's batches (the same batches, of the same size, as one process takes, so
 * each example's outputs keep their bits), leaving the other entries of its arrays zero; one sum
 * over the ranks then gives every rank the whole arrays. x + 0 is x exactly, so the combined
 * arrays are bit for bit what one process computes alone (outputs here are never -0). Before
 * its batches, every rank takes rank 0's buffers: with per-rank BatchNorm, a rank's running
 * statistics are its own since the last step's broadcast, and rank 0's are the run's.
 */
import { sliceBounds } from "../data/batch-split.js";
import { tensor, tidy } from "../engine/index.js";
import type { DataParallel } from "./data-parallel.js";

export interface EvaluationShare {
  /** Before the first batch: the model every rank evaluates is rank 0's. */
  begin(): void;
  /** This rank's batches [start, end) of `batches`. */
  batchRange(batches: number): { start: number; end: number };
  /** Sums the arrays over the ranks, in place (each rank filled only its own entries). */
  combine(arrays: ReadonlyArray<Float32Array | Float64Array>): void;
}

export function evaluationShare(parallel: DataParallel): EvaluationShare {
  const group = parallel.group;
  return {
    begin: () => parallel.syncBuffers(),
    batchRange: (batches) => sliceBounds(batches, group.rank, group.worldSize),
    combine(arrays) {
      tidy(() => {
        const tensors = arrays.map((a) => tensor(a));
        group.allreduceSum(tensors);
        for (const [i, t] of tensors.entries()) {
          arrays[i]!.set(t.dataSync() as Float32Array | Float64Array);
        }
      });
    },
  };
}

/**
 * How a global batch is split over the ranks of a data-parallel run: contiguous slices, rank r
 * taking the r-th, as DistributedSampler over one shared permutation. The loader cuts a rank's
 * slice before assembling it (loader.ts), so this lives with the data, not the process group.
 */

/** Which slice of every batch a loader assembles: rank `rank` of `worldSize`. */
export interface BatchSlice {
  rank: number;
  worldSize: number;
}

/**
 * Rank r's examples [start, end) of a batch of n: slices as even as possible, the first
 * n mod worldSize ranks taking one more (only a short last batch is uneven).
 */
export function sliceBounds(
  n: number,
  rank: number,
  worldSize: number,
): { start: number; end: number } {
  const base = Math.floor(n / worldSize);
  const extra = n % worldSize;
  const start = rank * base + Math.min(rank, extra);
  return { start, end: start + base + (rank < extra ? 1 : 0) };
}

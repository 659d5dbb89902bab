/**
 * Pairwise run-to-run quantities (churn, weight distance) are held as a symmetric
 * runs × runs matrix, so that the bootstrap can resample runs without recomputing pairs.
 */
export interface PairMatrix {
  runs: number;
  /** Row-major runs × runs, zero diagonal. */
  values: Float64Array;
}

export function pairMatrix(runs: number, distance: (i: number, j: number) => number): PairMatrix {
  const values = new Float64Array(runs * runs);
  for (let i = 0; i < runs; i++) {
    for (let j = i + 1; j < runs; j++) {
      const d = distance(i, j);
      values[i * runs + j] = d;
      values[j * runs + i] = d;
    }
  }
  return { runs, values };
}

/**
 * Mean over pairs of positions a < b of `indices` (default: every run once) whose runs
 * differ. A bootstrap sample can draw the same run twice; that pair says nothing about
 * run-to-run distance (it is zero by construction), so it is left out rather than
 * dragging the mean towards zero.
 */
export function meanOverPairs(matrix: PairMatrix, indices?: ArrayLike<number>): number {
  const chosen = indices ?? Array.from({ length: matrix.runs }, (_, i) => i);
  let sum = 0;
  let count = 0;
  for (let a = 0; a < chosen.length; a++) {
    for (let b = a + 1; b < chosen.length; b++) {
      const i = chosen[a]!;
      const j = chosen[b]!;
      if (i === j) continue;
      sum += matrix.values[i * matrix.runs + j]!;
      count++;
    }
  }
  return count === 0 ? Number.NaN : sum / count;
}

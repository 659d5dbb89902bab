/**
 * Spreads of rates that are counts over a fixed denominator (accuracy = correct / N, a
 * class's accuracy, FPR = FP / negatives). Working on the integer counts makes the sum of
 * squared deviations an exact integer, so runs with equal counts give a std of exactly 0,
 * not the 1e-16 that averaging rounded fractions leaves.
 */

/** Sample (ddof 1) or population (ddof 0) std of counts[i] / denominator. */
export function countStd(counts: ArrayLike<number>, denominator: number, ddof: 0 | 1): number {
  const n = counts.length;
  if (n - ddof <= 0 || !(denominator > 0)) return Number.NaN;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const count = counts[i]!;
    if (!Number.isInteger(count)) throw new Error(`countStd: ${count} is not a count`);
    sum += count;
    sumSquares += count * count;
  }
  // n·Σc² − (Σc)² is an integer, exact in a double while it stays below 2^53
  // (counts up to 10^6 over 1000 runs).
  const scaled = n * sumSquares - sum * sum;
  if (scaled <= 0) return 0;
  return Math.sqrt(scaled / (n * (n - ddof))) / denominator;
}

/** Whether every count is the same: the spread is exactly zero. */
export const allEqual = (values: ArrayLike<number>): boolean => {
  for (let i = 1; i < values.length; i++) if (values[i] !== values[0]) return false;
  return true;
};

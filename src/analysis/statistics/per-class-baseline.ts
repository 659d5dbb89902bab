/**
 * Per-class spread against what independent per-example flips would give. If every test
 * example's correctness varied from run to run independently of the others, the correct
 * counts C_k of the classes would be independent, so Σ_k var(C_k) = var(Σ_k C_k): the ratio
 * Q of the two is 1 whatever the per-example rates. Q > 1 means classes trade off (one gains
 * what another loses), Q < 1 that they move together. With equal per-example rates the
 * per-class/top-1 std ratio would be about √(N/n_k); √Q scales that baseline.
 */
import { allEqual } from "./count-spread.js";
import type { Estimate } from "./estimate.js";
import { logJackknifeInterval } from "./intervals.js";

export interface PerClassBaseline {
  /** Mean over classes of √(N/n_k): the per-class/top-1 std ratio independent flips would give. */
  independentRatio: number;
  /** √Q with a jackknife interval: per-class spread relative to independent flips. */
  relativeToIndependent: Estimate;
}

/** Sample variance of integer counts, exact (see count-spread.ts); NaN below 2 values. */
function countVariance(counts: readonly number[]): number {
  const n = counts.length;
  if (n < 2) return Number.NaN;
  if (allEqual(counts)) return 0;
  let sum = 0;
  let sumSquares = 0;
  for (const c of counts) {
    sum += c;
    sumSquares += c * c;
  }
  return (n * sumSquares - sum * sum) / (n * (n - 1));
}

/**
 * `correct[r][k]`: run r's correct predictions in class k; `support[k]`: the class's test
 * examples (classes without examples are left out by the caller). Null when top-1 accuracy
 * does not vary (Q is 0/0).
 */
export function perClassBaseline(
  correct: readonly (readonly number[])[],
  support: readonly number[],
  level: number,
): PerClassBaseline | null {
  const runs = correct.length;
  const total = support.reduce((a, b) => a + b, 0);
  const classes = support.length;
  const sqrtQ = (indices: readonly number[]) => {
    let numerator = 0;
    for (let k = 0; k < classes; k++)
      numerator += countVariance(indices.map((r) => correct[r]![k]!));
    const totals = indices.map((r) => correct[r]!.reduce((a, b) => a + b, 0));
    return Math.sqrt(numerator / countVariance(totals));
  };
  const totals = correct.map((row) => row.reduce((a, b) => a + b, 0));
  if (runs < 2 || allEqual(totals)) return null;
  const independentRatio =
    support.reduce((sum, n) => sum + Math.sqrt(total / n), 0) / Math.max(1, classes);
  return { independentRatio, relativeToIndependent: logJackknifeInterval(runs, sqrtQ, level) };
}

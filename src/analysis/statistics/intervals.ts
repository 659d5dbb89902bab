/**
 * Intervals with a stated coverage at the numbers of runs people use (3 to 20): exact ones
 * where the runs are close to normal (a std, a ratio of stds), and the jackknife over runs
 * for the mean over pairs (churn, L2), whose pairs share runs and so are not independent.
 * Fractions (accuracy, churn, per-class accuracy, FPR/FNR) get their t interval on the
 * logit scale, which keeps it inside [0, 1] (docs/analysis.md).
 */

import type { PairMatrix } from "../metrics/pairwise.js";
import { chiSquareQuantile, fQuantile, studentTQuantile } from "./distributions.js";
import type { Estimate } from "./estimate.js";

/**
 * χ² interval of σ from a sample std of n runs: (n−1)s²/σ² ~ χ²(n−1) for normal runs.
 * Accuracy over thousands of test examples is a sum of many per-example outcomes, close
 * to normal; the coverage test checks it. Null bounds with fewer than 2 runs.
 */
export function chiSquareStdInterval(s: number, n: number, level: number): Estimate {
  if (n < 2 || !Number.isFinite(s)) return { value: s, low: null, high: null };
  const tail = (1 - level) / 2;
  const df = n - 1;
  return {
    value: s,
    low: s * Math.sqrt(df / chiSquareQuantile(1 - tail, df)),
    high: s * Math.sqrt(df / chiSquareQuantile(tail, df)),
    method: "chi-square",
  };
}

/** The same interval for a variance (s² and the squared bounds). */
export function chiSquareVarianceInterval(s: number, n: number, level: number): Estimate {
  const interval = chiSquareStdInterval(s, n, level);
  const square = (x: number | null) => (x === null ? null : x * x);
  return {
    value: s * s,
    low: square(interval.low),
    high: square(interval.high),
    ...(interval.method ? { method: interval.method } : {}),
  };
}

/**
 * F interval of σa/σb from two independent groups' sample stds: (sa²/σa²)/(sb²/σb²) ~
 * F(na−1, nb−1). Undefined (null) when sb is 0: a ratio to an exact zero says nothing.
 */
export function fRatioInterval(
  sa: number,
  na: number,
  sb: number,
  nb: number,
  level: number,
): Estimate | null {
  if (na < 2 || nb < 2 || !(sb > 0) || !Number.isFinite(sa)) return null;
  const ratio = sa / sb;
  const tail = (1 - level) / 2;
  return {
    value: ratio,
    low: ratio / Math.sqrt(fQuantile(1 - tail, na - 1, nb - 1)),
    high: ratio / Math.sqrt(fQuantile(tail, na - 1, nb - 1)),
    method: "F",
  };
}

/** Leave-one-run-out means over pairs, from the row sums of the pair matrix: O(n²). */
function leaveOneOutPairMeans(matrix: PairMatrix): { total: number; loo: number[] } {
  const n = matrix.runs;
  const rowSums = new Array<number>(n).fill(0);
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = matrix.values[i * n + j]!;
      rowSums[i]! += d;
      rowSums[j]! += d;
      total += d;
    }
  }
  const pairsLeft = ((n - 1) * (n - 2)) / 2;
  return { total, loo: rowSums.map((row) => (total - row) / pairsLeft) };
}

/** Jackknife standard error of the mean over pairs of a pair matrix (needs 3 runs). */
export function pairMeanJackknifeSe(matrix: PairMatrix): number {
  const n = matrix.runs;
  if (n < 3) return Number.NaN;
  const { loo } = leaveOneOutPairMeans(matrix);
  const centre = loo.reduce((a, b) => a + b, 0) / n;
  const sumSquares = loo.reduce((sum, value) => sum + (value - centre) ** 2, 0);
  return Math.sqrt(((n - 1) / n) * sumSquares);
}

/**
 * Degrees of freedom of the t quantile for a jackknife interval over n runs. A mean over
 * pairs is a U-statistic: its jackknife pseudo-values are fewer than they look, and with
 * n − 1 degrees of freedom the simulation covered 86–89 % for a nominal 90 % at n = 4–10;
 * n − 2 brings it to the nominal level (coverage.test.ts), conservative at n = 3.
 */
export const jackknifeDf = (n: number) => Math.max(1, n - 2);

/**
 * Mean over pairs (L2; churn, a fraction, uses pairFractionInterval) with a jackknife-over-runs t interval. Leaving out a run
 * removes every pair it is in, which is what makes the interval respect the pairs'
 * dependence. A mean of exactly 0 (every pair identical) gets no interval: it is a fact.
 */
export function pairMeanInterval(matrix: PairMatrix, level: number): Estimate {
  const n = matrix.runs;
  if (n < 2) return { value: Number.NaN, low: null, high: null };
  const { total } = leaveOneOutPairMeans(matrix);
  const value = total / ((n * (n - 1)) / 2);
  if (n < 3 || value === 0 || !Number.isFinite(value)) return { value, low: null, high: null };
  const halfWidth =
    studentTQuantile(1 - (1 - level) / 2, jackknifeDf(n)) * pairMeanJackknifeSe(matrix);
  // L2 cannot be negative; clipping at 0 keeps the coverage and drops impossible values.
  return {
    value,
    low: Math.max(0, value - halfWidth),
    high: value + halfWidth,
    method: "jackknife over runs",
  };
}

const logit = (p: number) => Math.log(p / (1 - p));
const expit = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * t interval of a fraction p̂ with standard error `se` (on the fraction's own scale) and `df`
 * degrees of freedom, made on the logit scale: logit(p̂) ± t·se/(p̂(1 − p̂)) (the delta
 * method), mapped back. It lies inside (0, 1) whatever the data, and is the plain t interval
 * where p̂ is far from both ends; near an end it is asymmetric, longer on the open side.
 * Coverage near 0 and 1 at 3 to 20 runs: coverage.test.ts. `bounded` says when the plain
 * interval would have crossed 0 or 1. No interval at p̂ of exactly 0 or 1, nor without spread.
 */
export function fractionInterval(
  value: number,
  se: number,
  df: number,
  level: number,
  method: string,
): Estimate {
  if (!(value > 0 && value < 1) || !(se > 0) || !Number.isFinite(se) || df < 1) {
    return { value, low: null, high: null };
  }
  const t = studentTQuantile(1 - (1 - level) / 2, df);
  const half = (t * se) / (value * (1 - value));
  const [below, above] = [value - t * se < 0, value + t * se > 1];
  const bounded = below && above ? "at 0 and 1" : below ? "at 0" : above ? "at 1" : undefined;
  return {
    value,
    low: expit(logit(value) - half),
    high: expit(logit(value) + half),
    method: `${method}, logit scale`,
    ...(bounded ? { bounded } : {}),
    se,
  };
}

/**
 * A mean over pairs that is a fraction (churn) with the jackknife-over-runs interval on the
 * logit scale (fractionInterval). Exactly 0 (every pair identical) gets no interval: a fact.
 */
export function pairFractionInterval(matrix: PairMatrix, level: number): Estimate {
  const n = matrix.runs;
  if (n < 2) return { value: Number.NaN, low: null, high: null };
  const value = leaveOneOutPairMeans(matrix).total / ((n * (n - 1)) / 2);
  if (n < 3) return { value, low: null, high: null };
  return fractionInterval(
    value,
    pairMeanJackknifeSe(matrix),
    jackknifeDf(n),
    level,
    "jackknife over runs",
  );
}

/**
 * Jackknife t interval for any statistic of the runs, on the log scale (for positive
 * ratios, whose sampling distribution is skewed). `statistic` receives the indices kept.
 * From 4 runs: with 3, one degree of freedom makes it span many orders of magnitude.
 */
export function logJackknifeInterval(
  n: number,
  statistic: (indices: readonly number[]) => number,
  level: number,
): Estimate {
  const all = Array.from({ length: n }, (_, i) => i);
  const value = statistic(all);
  if (n < 4 || !(value > 0) || !Number.isFinite(value)) return { value, low: null, high: null };
  const loo = all.map((left) => Math.log(statistic(all.filter((i) => i !== left))));
  if (!loo.every(Number.isFinite)) return { value, low: null, high: null };
  const centre = loo.reduce((a, b) => a + b, 0) / n;
  const se = Math.sqrt(((n - 1) / n) * loo.reduce((sum, x) => sum + (x - centre) ** 2, 0));
  const halfWidth = studentTQuantile(1 - (1 - level) / 2, jackknifeDf(n)) * se;
  return {
    value,
    low: value * Math.exp(-halfWidth),
    high: value * Math.exp(halfWidth),
    method: "jackknife over runs (log scale)",
  };
}

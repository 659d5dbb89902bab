/**
 * Student's t interval of a mean and Welch's interval of a difference of two means (unequal
 * variances, Welch–Satterthwaite degrees of freedom), at a stated two-sided level, built on
 * the project's t quantile and sample std. Their coverage is checked by seeded simulation in
 * test/bench/welch.test.ts. Both need two runs or more on each side.
 */
import { studentTQuantile } from "../src/analysis/statistics/distributions.js";
import { mean, stdSample } from "../src/analysis/statistics/stats.js";

export interface MeanInterval {
  value: number;
  low: number;
  high: number;
  /** The t distribution's degrees of freedom the half-width was taken from. */
  df: number;
}

function needsTwo(values: readonly number[], what: string): void {
  if (values.length < 2) throw new Error(`${what} needs at least 2 values, got ${values.length}`);
}

/** mean ± t(1 − (1 − level)/2, n − 1) · s/√n. */
export function meanInterval(values: readonly number[], level: number): MeanInterval {
  needsTwo(values, "a mean interval");
  const n = values.length;
  const value = mean(values);
  const half = studentTQuantile(1 - (1 - level) / 2, n - 1) * (stdSample(values) / Math.sqrt(n));
  return { value, low: value - half, high: value + half, df: n - 1 };
}

/**
 * mean(a) − mean(b) ± t(1 − (1 − level)/2, ν) · √(sa²/na + sb²/nb), with
 * ν = (sa²/na + sb²/nb)² / ((sa²/na)²/(na − 1) + (sb²/nb)²/(nb − 1)).
 * When both samples have no spread the difference is exact (a zero-width interval).
 */
export function welchInterval(
  a: readonly number[],
  b: readonly number[],
  level: number,
): MeanInterval {
  needsTwo(a, "Welch's interval");
  needsTwo(b, "Welch's interval");
  const value = mean(a) - mean(b);
  const va = stdSample(a) ** 2 / a.length;
  const vb = stdSample(b) ** 2 / b.length;
  if (va + vb === 0) return { value, low: value, high: value, df: a.length + b.length - 2 };
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const half = studentTQuantile(1 - (1 - level) / 2, df) * Math.sqrt(va + vb);
  return { value, low: value - half, high: value + half, df };
}

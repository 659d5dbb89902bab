import { meanOverPairs, type PairMatrix } from "./metrics/pairwise.js";
import type { Rng } from "./prng.js";
import { quantile } from "./stats.js";

/** A point estimate with a percentile bootstrap interval (null where none was computed). */
export interface Estimate {
  value: number;
  low: number | null;
  high: number | null;
}

export interface BootstrapOptions {
  resamples: number;
  /** Central coverage of the interval, e.g. 0.95. */
  level: number;
}

/** Draws n indices in [0, n) with replacement: one bootstrap resample of the runs. */
export function resampleIndices(n: number, rng: Rng): Int32Array {
  const indices = new Int32Array(n);
  for (let i = 0; i < n; i++) indices[i] = rng.nextInt(n);
  return indices;
}

function percentileInterval(draws: number[], level: number): [number | null, number | null] {
  const finite = draws.filter(Number.isFinite);
  if (finite.length === 0) return [null, null];
  const tail = (1 - level) / 2;
  return [quantile(finite, tail), quantile(finite, 1 - tail)];
}

/**
 * Bootstrap distribution of a statistic of the runs: the unit resampled is the run,
 * since runs (not examples) are the independent draws of training noise.
 */
export function bootstrapDraws(
  runs: number,
  statistic: (indices: ArrayLike<number>) => number,
  rng: Rng,
  resamples: number,
): number[] {
  const draws: number[] = [];
  for (let b = 0; b < resamples; b++) draws.push(statistic(resampleIndices(runs, rng)));
  return draws;
}

export function bootstrapEstimate(
  runs: number,
  statistic: (indices: ArrayLike<number>) => number,
  rng: Rng,
  options: BootstrapOptions,
): Estimate {
  const identity = Array.from({ length: runs }, (_, i) => i);
  const value = statistic(identity);
  if (runs < 2 || !Number.isFinite(value)) return { value, low: null, high: null };
  const draws = bootstrapDraws(runs, statistic, rng, options.resamples);
  const [low, high] = percentileInterval(draws, options.level);
  return { value, low, high };
}

/** Interval for a statistic of per-run values (accuracy std, a class's accuracy std...). */
export function bootstrapOfValues(
  values: readonly number[],
  statistic: (sample: number[]) => number,
  rng: Rng,
  options: BootstrapOptions,
): Estimate {
  const pick = (indices: ArrayLike<number>) => Array.from(indices, (i) => values[i]!);
  return bootstrapEstimate(values.length, (indices) => statistic(pick(indices)), rng, options);
}

/** Interval for the mean over pairs of a pairwise matrix (churn, L2). */
export function bootstrapOfPairs(
  matrix: PairMatrix,
  rng: Rng,
  options: BootstrapOptions,
): Estimate {
  return bootstrapEstimate(matrix.runs, (indices) => meanOverPairs(matrix, indices), rng, options);
}

export interface Difference extends Estimate {
  /** Two-sided bootstrap p-value for "no difference" (the 0 or 1 hypothesis line). */
  pValue: number | null;
}

/**
 * Compares a statistic between two independent groups of runs by resampling each group
 * on its own. `contrast` combines the two statistics (a − b, or a / b); `nullValue` is
 * the value of the contrast when the groups do not differ.
 */
export function bootstrapContrast(
  runsA: number,
  statisticA: (indices: ArrayLike<number>) => number,
  runsB: number,
  statisticB: (indices: ArrayLike<number>) => number,
  contrast: (a: number, b: number) => number,
  nullValue: number,
  rng: Rng,
  options: BootstrapOptions,
): Difference {
  const identity = (n: number) => Array.from({ length: n }, (_, i) => i);
  const value = contrast(statisticA(identity(runsA)), statisticB(identity(runsB)));
  if (runsA < 2 || runsB < 2 || Number.isNaN(value)) {
    return { value, low: null, high: null, pValue: null };
  }
  const draws: number[] = [];
  for (let b = 0; b < options.resamples; b++) {
    const a = statisticA(resampleIndices(runsA, rng));
    draws.push(contrast(a, statisticB(resampleIndices(runsB, rng))));
  }
  const [low, high] = percentileInterval(draws, options.level);
  const valid = draws.filter((draw) => !Number.isNaN(draw));
  if (valid.length === 0) return { value, low, high, pValue: null };
  const below = valid.filter((draw) => draw <= nullValue).length / valid.length;
  const above = valid.filter((draw) => draw >= nullValue).length / valid.length;
  return { value, low, high, pValue: Math.min(1, 2 * Math.min(below, above)) };
}

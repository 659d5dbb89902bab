/**
 * "How many runs": for each headline metric, how precise it is with the runs at hand, and
 * about how many runs the same interval would need to reach a declared precision.
 */
import { chiSquareQuantile, studentTQuantile } from "./distributions.js";
import type { Estimate } from "./estimate.js";
import { jackknifeDf } from "./intervals.js";

export interface RunsNeeded {
  metric: "mean accuracy" | "std of accuracy" | "churn";
  runs: number;
  /** Interval half-width now: relative to the value ("relative"), or in accuracy units ("absolute"). */
  reached: number | null;
  target: number;
  kind: "relative" | "absolute";
  /** Runs the interval needs for ±target; null when it cannot be said (a zero spread). */
  needed: number | null;
}

/** Declared precisions: a std to ±20 %, churn to ±10 %, mean accuracy to ±0.1 point. */
export const PRECISION_TARGETS = { std: 0.2, churn: 0.1, meanAccuracy: 0.001 };

/** Relative half-width of the χ² interval of a std with n runs: the larger of its two sides. */
export function stdRelativePrecision(n: number, level: number): number {
  const tail = (1 - level) / 2;
  const df = n - 1;
  const high = Math.sqrt(df / chiSquareQuantile(tail, df)) - 1;
  const low = 1 - Math.sqrt(df / chiSquareQuantile(1 - tail, df));
  return Math.max(high, low);
}

/** Smallest n whose χ² interval of a std is within ±target of the estimate (data-free). */
export function runsForStdPrecision(target: number, level: number): number {
  let n = 2;
  while (stdRelativePrecision(n, level) > target && n < 100_000) n++;
  return n;
}

/**
 * Half-width of the plain (symmetric) t interval: t·se where the interval was made on the
 * logit scale and records its se, else its upper side.
 */
function plainHalfWidth(estimate: Estimate, df: number, level: number): number | null {
  if (estimate.high === null) return null;
  return estimate.se === undefined
    ? estimate.high - estimate.value
    : studentTQuantile(1 - (1 - level) / 2, df) * estimate.se;
}

const relativeHalfWidth = (estimate: Estimate, df: number, level: number) => {
  const half = plainHalfWidth(estimate, df, level);
  return half === null || !(estimate.value > 0) ? null : half / estimate.value;
};

/**
 * Runs a t interval needs for ±target, if its standard error shrinks as 1/√n from the one
 * measured now: the smallest n' ≥ n with t(df(n'))·se·√(n/n') ≤ target.
 */
function scaledRuns(
  n: number,
  halfWidth: number,
  target: number,
  level: number,
  df: (runs: number) => number,
): number {
  const quantile = (runs: number) => studentTQuantile(1 - (1 - level) / 2, df(runs));
  const se = halfWidth / quantile(n);
  let runs = n;
  while (quantile(runs) * se * Math.sqrt(n / runs) > target && runs < 1_000_000) {
    runs = Math.max(runs + 1, Math.ceil(runs * 1.05));
  }
  return runs;
}

export function runsNeeded(
  n: number,
  level: number,
  accuracy: { mean: Estimate; stdSample: Estimate } | null,
  churn: Estimate,
): RunsNeeded[] {
  const lines: RunsNeeded[] = [];
  if (accuracy && n >= 2) {
    const { mean, stdSample } = accuracy;
    const meanHalf = plainHalfWidth(mean, n - 1, level);
    lines.push({
      metric: "mean accuracy",
      runs: n,
      reached: meanHalf,
      target: PRECISION_TARGETS.meanAccuracy,
      kind: "absolute",
      needed:
        meanHalf === null
          ? null
          : scaledRuns(n, meanHalf, PRECISION_TARGETS.meanAccuracy, level, (runs) => runs - 1),
    });
    lines.push({
      metric: "std of accuracy",
      runs: n,
      reached: stdSample.value > 0 ? stdRelativePrecision(n, level) : null,
      target: PRECISION_TARGETS.std,
      kind: "relative",
      needed: stdSample.value > 0 ? runsForStdPrecision(PRECISION_TARGETS.std, level) : null,
    });
  }
  const churnHalf = relativeHalfWidth(churn, jackknifeDf(n), level);
  lines.push({
    metric: "churn",
    runs: n,
    reached: churnHalf,
    target: PRECISION_TARGETS.churn,
    kind: "relative",
    needed:
      churnHalf === null
        ? null
        : scaledRuns(
            n,
            churnHalf * churn.value,
            PRECISION_TARGETS.churn * churn.value,
            level,
            jackknifeDf,
          ),
  });
  return lines;
}

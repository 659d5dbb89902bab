/**
 * Variance accounting for one family of settings (after Bouthillier et al., MLSys 2021):
 * the run-to-run variance of test accuracy under each noise source alone, the variance a
 * fresh test set of the same size would add, the probability that one setting's run beats
 * another's, and beside each observed variance Jordan's independent-errors prediction.
 */

import type {
  Comparison,
  GroupResult,
  VarianceAccounting,
  VarianceSource,
} from "../results/result-types.js";
import { normalQuantile } from "../statistics/distributions.js";
import type { Estimate } from "../statistics/estimate.js";
import { chiSquareVarianceInterval } from "../statistics/intervals.js";

export const SOURCE_NAMES: Record<string, string> = {
  "algo+impl": "all sources (init, order, implementation)",
  algo: "init + order",
  impl: "implementation",
  control: "none (control)",
};

/** p(1 − p)/N over an interval of p: its range (largest at p = 1/2). */
function samplingVariance(
  p: number,
  examples: number,
  level: number,
): Estimate & { examples: number } {
  const f = (x: number) => (x * (1 - x)) / examples;
  const half = normalQuantile(1 - (1 - level) / 2) * Math.sqrt(f(p));
  const low = Math.max(0, p - half);
  const high = Math.min(1, p + half);
  const ends = [f(low), f(high)];
  return {
    value: f(p),
    low: Math.min(...ends),
    high: low <= 0.5 && 0.5 <= high ? f(0.5) : Math.max(...ends),
    method: "normal interval of p",
    examples,
  };
}

export function varianceAccounting(
  groups: readonly GroupResult[],
  comparisons: readonly Comparison[],
  level: number,
): VarianceAccounting | null {
  const withAccuracy = groups.filter((group) => group.accuracy?.correctPerRun);
  if (withAccuracy.length === 0) return null;
  const sources = withAccuracy.map((group): VarianceSource => {
    const accuracy = group.accuracy!;
    const n = group.runs.length;
    const s = accuracy.stdSample.value;
    const variance =
      group.identicalRuns !== null || s === 0
        ? { value: 0, low: null, high: null }
        : chiSquareVarianceInterval(s, n, level);
    const predicted = accuracy.independentErrorsVariance;
    const ratio =
      predicted && predicted > 0 && variance.low !== null
        ? {
            value: variance.value / predicted,
            low: variance.low / predicted,
            high: variance.high! / predicted,
            method: "chi-square",
          }
        : null;
    return {
      source: SOURCE_NAMES[group.setting] ?? group.setting,
      group: group.label,
      setting: group.setting,
      runs: n,
      variance,
      identicalRuns: group.identicalRuns,
      independentErrors: predicted,
      observedOverIndependent: ratio,
    };
  });
  const allRuns = withAccuracy.flatMap((group) => group.accuracy!.perRun);
  const meanAccuracy = allRuns.reduce((a, b) => a + b, 0) / allRuns.length;
  const first = withAccuracy[0]!;
  const family = groups[0]!;
  return {
    familyKey: family.familyKey,
    family: `${family.model} ${family.dataset}${family.batchNorm ? " (BatchNorm)" : ""}`,
    sources,
    testSetSampling: samplingVariance(meanAccuracy, first.accuracy!.denominator, level),
    higher: comparisons
      .filter((comparison) => comparison.probabilityAHigher !== null)
      .map((comparison) => ({
        a: comparison.a,
        b: comparison.b,
        probability: comparison.probabilityAHigher!,
        pairs: comparison.runsA * comparison.runsB,
      })),
  };
}

/** P(X > Y) + ½P(X = Y) over every pair (x in a, y in b): the Mann–Whitney probability. */
export function probabilityHigher(a: readonly number[], b: readonly number[]): number | null {
  if (a.length === 0 || b.length === 0) return null;
  let wins = 0;
  for (const x of a) for (const y of b) wins += x > y ? 1 : x === y ? 0.5 : 0;
  return wins / (a.length * b.length);
}

import type { RandomStream } from "../../random/stream.js";
import { disagreement } from "../metrics/classification.js";
import { type PairMatrix, pairMatrix } from "../metrics/pairwise.js";
import type { Comparison, GroupResult } from "../results/result-types.js";
import { studentTQuantile } from "../statistics/distributions.js";
import type { Estimate } from "../statistics/estimate.js";
import { fRatioInterval, jackknifeDf, pairMeanJackknifeSe } from "../statistics/intervals.js";
import { binomial, minimumPermutationP } from "../statistics/permutation.js";
import {
  type PermutationOptions,
  pairMeanPermutationTest,
  spreadPermutationTest,
  stdEquivalenceTest,
} from "../statistics/spread-tests.js";
import { settingLabel } from "./settings.js";
import { probabilityHigher } from "./variance-accounting.js";

export interface ComparableGroup {
  result: GroupResult;
  churn: PairMatrix;
  predictions: readonly Int32Array[];
}

export interface ComparisonOptions extends PermutationOptions {
  level: number;
  /** α of the tests: a test whose smallest possible p-value exceeds it is not run. */
  alpha: number;
  /** Set for the comparison declared as "the same order": the TOST margin. */
  equivalenceMargin: number | null;
}

/** Smallest equal number of runs per setting at which a symmetric permutation test can reach α. */
export function runsForPermutation(alpha: number, options: PermutationOptions): number {
  let n = 2;
  while (minimumPermutationP(n, n, true, options.maxExact, options.draws) > alpha && n < 1000) n++;
  return n;
}

/** The churn of every pair of a's and b's runs: the groups' own pairs reused, the cross pairs computed. */
function pooledChurn(a: ComparableGroup, b: ComparableGroup): PairMatrix {
  const na = a.churn.runs;
  return pairMatrix(na + b.churn.runs, (i, j) => {
    if (j < na) return a.churn.values[i * na + j]!;
    if (i >= na) return b.churn.values[(i - na) * b.churn.runs + (j - na)]!;
    return disagreement(a.predictions[i]!, b.predictions[j - na]!);
  });
}

function churnDifference(a: ComparableGroup, b: ComparableGroup, level: number): Estimate {
  const value = a.result.churn.value - b.result.churn.value;
  const na = a.churn.runs;
  const nb = b.churn.runs;
  const exact = a.result.churn.value === 0 && b.result.churn.value === 0;
  if (na < 3 || nb < 3 || exact) return { value, low: null, high: null };
  // An exactly-zero churn (identical runs) is known without error.
  const se = (group: ComparableGroup) =>
    group.result.churn.value === 0 ? 0 : pairMeanJackknifeSe(group.churn);
  const half =
    studentTQuantile(1 - (1 - level) / 2, Math.min(jackknifeDf(na), jackknifeDf(nb))) *
    Math.hypot(se(a), se(b));
  return { value, low: value - half, high: value + half, method: "jackknife over runs" };
}

/** Why no ratio of accuracy stds can be given, or null when one can. */
function noRatioReason(a: GroupResult, b: GroupResult): string | null {
  if (!a.accuracy || !b.accuracy) return "accuracy is missing";
  for (const group of [b, a]) {
    const name = settingLabel(group.setting);
    if (group.identicalRuns === "weights")
      return `${name}'s runs are bit-identical (std exactly 0)`;
    if (group.identicalRuns === "predictions")
      return `${name}'s runs make identical predictions (std exactly 0)`;
    if (group.accuracy!.stdSample.value === 0)
      return `${name}'s runs all score the same (std exactly 0)`;
  }
  return null;
}

/**
 * How two settings of one family differ: the F interval of their std ratio, a permutation
 * test over runs of the spread and of churn, and (when declared) the TOST of "same order".
 * Nothing is built on a group whose runs are identical: its spread is an exact 0, a fact.
 */
export function compareGroups(
  a: ComparableGroup,
  b: ComparableGroup,
  rng: RandomStream,
  options: ComparisonOptions,
): Omit<Comparison, "exploratory" | "differsIn"> {
  const [ra, rb] = [a.result, b.result];
  const na = ra.runs.length;
  const nb = rb.runs.length;
  const noRatio = noRatioReason(ra, rb);
  const sa = ra.accuracy?.stdSample.value ?? Number.NaN;
  const sb = rb.accuracy?.stdSample.value ?? Number.NaN;
  const canReach =
    minimumPermutationP(na, nb, true, options.maxExact, options.draws) <= options.alpha;
  // The pair declared "the same order" is tested for equivalence only, not also for a difference.
  const spreadTest =
    noRatio === null && canReach && options.equivalenceMargin === null
      ? spreadPermutationTest(ra.accuracy!.perRun, rb.accuracy!.perRun, rng, options)
      : null;
  const bothVary = ra.identicalRuns === null && rb.identicalRuns === null;
  const churnTest =
    bothVary && canReach && na >= 2 && nb >= 2
      ? pairMeanPermutationTest(pooledChurn(a, b), na, rng, options)
      : null;
  return {
    familyKey: ra.familyKey,
    a: ra.label,
    b: rb.label,
    settingA: ra.setting,
    settingB: rb.setting,
    runsA: na,
    runsB: nb,
    accuracyStdRatio: noRatio === null ? fRatioInterval(sa, na, sb, nb, options.level) : null,
    noRatio,
    spreadTest,
    equivalence:
      options.equivalenceMargin !== null && noRatio === null
        ? stdEquivalenceTest(sa, na, sb, nb, options.equivalenceMargin)
        : null,
    churnDifference: churnDifference(a, b, options.level),
    churnTest,
    probabilityAHigher:
      ra.accuracy && rb.accuracy ? probabilityHigher(ra.accuracy.perRun, rb.accuracy.perRun) : null,
    holm: { spread: null, churn: null },
    runsNeededForTest: canReach ? null : runsForPermutation(options.alpha, options),
  };
}

/** C(na + nb, na): exported for the report's wording of exact tests. */
export const relabellings = (na: number, nb: number) => binomial(na + nb, na);

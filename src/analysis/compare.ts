import { type BootstrapOptions, bootstrapContrast } from "./bootstrap.js";
import { meanOverPairs, type PairMatrix } from "./metrics/pairwise.js";
import type { Rng } from "./prng.js";
import type { Comparison, GroupResult } from "./result-types.js";
import { brownForsythe } from "./spread-tests.js";
import { stdSample } from "./stats.js";

export interface ComparableGroup {
  result: GroupResult;
  churn: PairMatrix;
}

/**
 * Whether two settings of one family spread differently: Brown–Forsythe on the per-run
 * accuracies, a bootstrap interval of their std ratio, and a bootstrap interval of the
 * churn difference (churn's pairs share runs, so only runs can be resampled).
 */
export function compareGroups(
  a: ComparableGroup,
  b: ComparableGroup,
  rng: Rng,
  options: BootstrapOptions,
): Comparison {
  const accuracyA = a.result.accuracy?.perRun;
  const accuracyB = b.result.accuracy?.perRun;
  const hasAccuracy = accuracyA !== undefined && accuracyB !== undefined;
  const stdOf = (values: number[]) => (indices: ArrayLike<number>) =>
    stdSample(Array.from(indices, (i) => values[i]!));
  return {
    familyKey: a.result.familyKey,
    a: a.result.label,
    b: b.result.label,
    settingA: a.result.setting,
    settingB: b.result.setting,
    runsA: a.result.runs.length,
    runsB: b.result.runs.length,
    accuracySpreadTest: hasAccuracy ? brownForsythe([accuracyA, accuracyB]) : null,
    accuracyStdRatio: hasAccuracy
      ? bootstrapContrast(
          accuracyA.length,
          stdOf(accuracyA),
          accuracyB.length,
          stdOf(accuracyB),
          (x, y) => x / y,
          1,
          rng,
          options,
        )
      : null,
    churnDifference: bootstrapContrast(
      a.churn.runs,
      (indices) => meanOverPairs(a.churn, indices),
      b.churn.runs,
      (indices) => meanOverPairs(b.churn, indices),
      (x, y) => x - y,
      0,
      rng,
      options,
    ),
  };
}

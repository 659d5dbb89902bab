/**
 * The seed paper's claims as hypotheses declared before the data are seen, one set per
 * family of settings, and Holm's correction over every p-value the analysis reports.
 * A claim that bit identity settles is stated as a fact, with no test; a test that these
 * run counts cannot make reach α is not run, and the runs it would need are given.
 */

import type { Comparison, GroupResult, Hypothesis } from "../results/result-types.js";
import { minimumPermutationP } from "../statistics/permutation.js";
import { equivalenceMinimumP, type PermutationOptions } from "../statistics/spread-tests.js";
import { runsForPermutation } from "./compare.js";
import { fmtRuns } from "./hypothesis-text.js";
import { DECLARED_PAIRS, settingLabel } from "./settings.js";

export interface HypothesisOptions extends PermutationOptions {
  alpha: number;
  equivalenceMargin: number;
}

/** Holm's step-down adjustment: adjusted p-values in the input order. */
export function holm(pValues: readonly number[]): number[] {
  const order = pValues.map((_, i) => i).sort((x, y) => pValues[x]! - pValues[y]!);
  const adjusted = new Array<number>(pValues.length);
  let running = 0;
  for (const [rank, index] of order.entries()) {
    running = Math.max(running, Math.min(1, (pValues.length - rank) * pValues[index]!));
    adjusted[index] = running;
  }
  return adjusted;
}

/** Smallest equal runs per setting at which the TOST with this margin can reach α. */
export function runsForEquivalence(alpha: number, margin: number): number {
  let n = 2;
  while (equivalenceMinimumP(n, n, margin) > alpha && n < 10_000) n++;
  return n;
}

/** "3 runs each", or "3 and 5 runs". */
const runsPhrase = (na: number, nb: number) =>
  na === nb ? `${na} runs each` : `${na} and ${nb} runs`;

const std = (group: GroupResult) => group.accuracy?.stdSample.value ?? Number.NaN;
const pct = (value: number) => `${(value * 100).toPrecision(2)} points`;

function exactStatement(a: GroupResult, b: GroupResult): string | null {
  const identical = [a, b].filter((group) => group.identicalRuns !== null);
  if (identical.length === 0) return null;
  const facts = [a, b].map((group) =>
    group.identicalRuns === "weights"
      ? `${settingLabel(group.setting)}'s ${fmtRuns(group)} are bit-identical (std 0)`
      : group.identicalRuns === "predictions"
        ? `${settingLabel(group.setting)}'s ${fmtRuns(group)} predict identically (std 0)`
        : `${settingLabel(group.setting)}'s std is ${pct(std(group))}`,
  );
  // Why IMPL is silent is said once, beside the claims, not in every hypothesis.
  return `${facts.join("; ")}.`;
}

type Kind = "equivalence" | "difference";
/** What every hypothesis of a pair says before its test: which pair, and the claim. */
type HypothesisBase = Pick<Hypothesis, "id" | "familyKey" | "claim" | "a" | "b">;

function claimOf(kind: Kind, a: GroupResult, b: GroupResult, margin: number): string {
  const [A, B] = [settingLabel(a.setting), settingLabel(b.setting)];
  if (kind === "equivalence")
    return `${A} and ${B} move accuracy by the same order: σ ratio within ${margin}× either way`;
  return b.setting === "control"
    ? `${A} moves accuracy more than ${B}`
    : `${A}'s std of accuracy differs from ${B}'s`;
}

/** The equivalence claim: TOST, unless these runs could never reach α. */
function equivalenceHypothesis(
  base: HypothesisBase,
  a: GroupResult,
  b: GroupResult,
  test: Comparison["equivalence"],
  options: HypothesisOptions,
): Hypothesis {
  const tost = "TOST (two one-sided F tests)";
  if (test === null || test.minimumP > options.alpha) {
    const needed = runsForEquivalence(options.alpha, options.equivalenceMargin);
    return {
      ...base,
      test: tost,
      pValue: null,
      pHolm: null,
      verdict: "too few runs to tell",
      statement: `with ${runsPhrase(a.runs.length, b.runs.length)} no outcome could show equivalence within ${options.equivalenceMargin}× at α = ${options.alpha} (the smallest possible p is ${test?.minimumP.toFixed(3) ?? "n/a"}); it needs about ${needed} runs per setting`,
      runsNeeded: needed,
    };
  }
  return {
    ...base,
    test: tost,
    pValue: test.pValue,
    pHolm: null,
    verdict: "not shown",
    statement: "",
    runsNeeded: null,
  };
}

/** The difference claim: a permutation test, unless these runs could never reach α. */
function differenceHypothesis(
  base: HypothesisBase,
  a: GroupResult,
  b: GroupResult,
  test: Comparison["spreadTest"],
  options: HypothesisOptions,
): Hypothesis {
  if (test === null) {
    const needed = runsForPermutation(options.alpha, options);
    const [na, nb] = [a.runs.length, b.runs.length];
    const smallest = minimumPermutationP(na, nb, true, options.maxExact, options.draws);
    return {
      ...base,
      test: "permutation over runs",
      pValue: null,
      pHolm: null,
      verdict: "too few runs to tell",
      statement: `with ${runsPhrase(na, nb)} the smallest p-value a permutation test can give is ${smallest.toPrecision(2)}, above α = ${options.alpha}; it needs ${needed} runs per setting`,
      runsNeeded: needed,
    };
  }
  return {
    ...base,
    test: test.exact ? "exact permutation over runs" : "Monte Carlo permutation over runs",
    pValue: test.pValue,
    pHolm: null,
    verdict: "not shown",
    statement: "",
    runsNeeded: null,
  };
}

function declared(
  kind: Kind,
  a: GroupResult,
  b: GroupResult,
  comparison: Comparison,
  options: HypothesisOptions,
): Hypothesis {
  const base: HypothesisBase = {
    id: `${a.setting} vs ${b.setting}`,
    familyKey: a.familyKey,
    claim: claimOf(kind, a, b, options.equivalenceMargin),
    a: a.label,
    b: b.label,
  };
  // A std of exactly 0 without identical runs (every run scores the same) is a fact too.
  const exact =
    exactStatement(a, b) ?? (comparison.noRatio === null ? null : `${comparison.noRatio}.`);
  if (exact !== null) {
    return {
      ...base,
      test: "none: an exact 0 decides",
      pValue: null,
      pHolm: null,
      verdict: "exact",
      statement: exact,
      runsNeeded: null,
    };
  }
  return kind === "equivalence"
    ? equivalenceHypothesis(base, a, b, comparison.equivalence, options)
    : differenceHypothesis(base, a, b, comparison.spreadTest, options);
}

/** The declared hypotheses of every family that has the settings they compare. */
export function declaredHypotheses(
  groups: readonly GroupResult[],
  comparisons: readonly Comparison[],
  options: HypothesisOptions,
): Hypothesis[] {
  const hypotheses: Hypothesis[] = [];
  // In the declared order (ALGO vs IMPL first), whatever order the comparisons came in.
  const rank = (comparison: Comparison) =>
    DECLARED_PAIRS.findIndex((p) => p.a === comparison.settingA && p.b === comparison.settingB);
  const declaredComparisons = comparisons
    .filter((comparison) => rank(comparison) !== -1)
    .sort((x, y) =>
      x.familyKey < y.familyKey ? -1 : x.familyKey > y.familyKey ? 1 : rank(x) - rank(y),
    );
  for (const comparison of declaredComparisons) {
    const pair = DECLARED_PAIRS[rank(comparison)]!;
    const a = groups.find(
      (group) => group.label === comparison.a && group.familyKey === comparison.familyKey,
    )!;
    const b = groups.find(
      (group) => group.label === comparison.b && group.familyKey === comparison.familyKey,
    )!;
    hypotheses.push(declared(pair.kind, a, b, comparison, options));
  }
  return hypotheses;
}

/**
 * Holm over every p-value reported: the declared hypotheses' tests, every comparison's
 * churn test and the spread tests of comparisons no hypothesis covers. Fills in pHolm,
 * the verdicts and each comparison's `holm`.
 */
export function applyHolm(
  hypotheses: Hypothesis[],
  comparisons: Comparison[],
  alpha: number,
): void {
  const entries: { p: number; set: (adjusted: number) => void }[] = [];
  for (const hypothesis of hypotheses) {
    if (hypothesis.pValue === null) continue;
    entries.push({
      p: hypothesis.pValue,
      set: (adjusted) => {
        hypothesis.pHolm = adjusted;
        hypothesis.verdict = adjusted <= alpha ? "supported" : "not shown";
      },
    });
  }
  for (const comparison of comparisons) {
    const hypothesis = hypotheses.find(
      (h) => h.a === comparison.a && h.b === comparison.b && h.familyKey === comparison.familyKey,
    );
    const test = comparison.spreadTest;
    // A declared difference's test is the hypothesis's own: counted once, not twice.
    if (test && !(hypothesis && hypothesis.pValue === test.pValue)) {
      entries.push({
        p: test.pValue,
        set: (adjusted) => {
          comparison.holm.spread = adjusted;
        },
      });
    }
    if (comparison.churnTest) {
      entries.push({
        p: comparison.churnTest.pValue,
        set: (adjusted) => {
          comparison.holm.churn = adjusted;
        },
      });
    }
  }
  const adjusted = holm(entries.map((entry) => entry.p));
  for (const [i, entry] of entries.entries()) entry.set(adjusted[i]!);
  // A declared difference shares its test with its comparison: copy the adjustment across.
  for (const comparison of comparisons) {
    const hypothesis = hypotheses.find(
      (h) => h.a === comparison.a && h.b === comparison.b && h.familyKey === comparison.familyKey,
    );
    if (hypothesis && comparison.spreadTest && hypothesis.pValue === comparison.spreadTest.pValue) {
      comparison.holm.spread = hypothesis.pHolm;
    }
  }
}

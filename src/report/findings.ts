import type { AnalysisResult, Comparison, GroupResult } from "../analysis/result-types.js";
import {
  interval,
  isFiniteNumber,
  percent,
  pValue,
  ratio,
  settingName,
  weightSets,
  withInterval,
} from "./format.js";

const ALPHA = 0.05;

function groupFinding(group: GroupResult): string[] {
  const n = group.runs.length;
  const sentences: string[] = [];
  const accuracy = group.accuracy;
  if (accuracy) {
    const source = accuracy.source === "log" ? " (from log.csv)" : "";
    sentences.push(
      `${group.label}: top-1 accuracy ${percent(accuracy.mean)}${source} over ${n} runs at epoch ${group.epoch}; ` +
        `its sample std is ${withInterval(accuracy.stdSample, 3)} (population std ${percent(accuracy.stdPopulation.value, 3)}), ` +
        `and two runs disagree on ${withInterval(group.churn)} of the test examples.`,
    );
  } else {
    sentences.push(
      `${group.label}: two of its ${n} runs disagree on ${withInterval(group.churn)} of the test examples.`,
    );
  }
  const perClass = group.perClass;
  if (perClass && isFiniteNumber(perClass.ratioToTop1) && perClass.ratioToTop1 > 0) {
    const worst = perClass.stdSample.reduce(
      (best, estimate, k) => (estimate.value > perClass.stdSample[best]!.value ? k : best),
      0,
    );
    sentences.push(
      `Per-${perClass.unit} accuracy moves more than top-1: the mean per-${perClass.unit} std is ` +
        `${ratio(perClass.ratioToTop1)} the std of top-1 accuracy, and reaches ${percent(perClass.stdSample[worst]!.value)} ` +
        `for ${perClass.unit} ${perClass.names[worst]}.`,
    );
  }
  if (group.instability.unstableFraction > 0) {
    sentences.push(
      `${percent(group.instability.unstableFraction, 1)} of the test ${group.instability.unit}s get a different prediction from at least one run.`,
    );
  }
  if (group.identity.identical === true) {
    sentences.push(`All ${n} runs ended with bit-identical weights.`);
  } else if (group.identity.identical === false) {
    sentences.push(
      `The ${n} runs ended with ${group.identity.distinctHashes} different sets of weights.`,
    );
  }
  return sentences;
}

/**
 * For a pool (e.g. the tooling study): which members ended with the same weights, and which
 * gave the best and worst accuracy — which tooling change moves the bits, and how far.
 */
function poolFinding(group: GroupResult): string[] {
  const runs = group.runs;
  // A results.json written before pools were analysed has no poolEffects.
  if (!group.poolEffects || runs.some((run) => run.variant === undefined)) return [];
  const name = (variant: string | undefined) => (variant === "" ? "the reference" : variant!);
  const sentences: string[] = [];
  const effects = group.poolEffects
    .filter((effect) => effect.pairs > 0)
    .map((effect) => {
      const weights =
        effect.pairsWithDifferentWeights === null
          ? `${effect.pairs} pairs`
          : `different weights in ${effect.pairsWithDifferentWeights} of ${effect.pairs} pairs`;
      return `${effect.field}: ${weights}, predictions disagreeing on ${percent(effect.meanChurn)} of the test examples`;
    });
  if (effects.length > 0) {
    sentences.push(
      `Each field changed alone (pairs of runs that differ only in it) — ${effects.join("; ")}.`,
    );
  }
  const setOf = weightSets(runs.map((run) => run.weightsSha256));
  if (setOf.every((set) => set !== undefined)) {
    const sets = Array.from({ length: Math.max(...(setOf as number[])) + 1 }, () => [] as string[]);
    for (const [i, run] of runs.entries()) sets[setOf[i]!]!.push(name(run.variant));
    const listed = sets.map((members) => `{${members.join(", ")}}`).join("; ");
    sentences.push(
      `Runs that ended with bit-identical weights (${sets.length} set(s) among ${runs.length} runs): ${listed}.`,
    );
  }
  const perRun = group.accuracy?.perRun;
  if (perRun !== undefined && perRun.length === runs.length) {
    const order = perRun.map((_, i) => i).sort((a, b) => perRun[a]! - perRun[b]!);
    const [low, high] = [order[0]!, order[order.length - 1]!];
    sentences.push(
      `Accuracy ranges from ${percent(perRun[low]!)} (${name(runs[low]!.variant)}) to ${percent(perRun[high]!)} (${name(runs[high]!.variant)}).`,
    );
  }
  return sentences;
}

function comparisonFinding(comparison: Comparison): string {
  const a = settingName(comparison.settingA);
  const b = settingName(comparison.settingB);
  const runs = `n = ${comparison.runsA} and ${comparison.runsB} runs`;
  const parts: string[] = [];
  const test = comparison.accuracySpreadTest;
  const stdRatio = comparison.accuracyStdRatio;
  if (test && stdRatio) {
    const distinguishable = isFiniteNumber(test.pValue) && test.pValue < ALPHA;
    const range =
      isFiniteNumber(stdRatio.low) && isFiniteNumber(stdRatio.high)
        ? `; the data allow a ratio anywhere from ${ratio(stdRatio.low)} to ${ratio(stdRatio.high)}`
        : "";
    // A zero std under b (runs bit-identical) leaves the ratio undefined: say so plainly.
    const relation = isFiniteNumber(stdRatio.value)
      ? `${ratio(stdRatio.value)} that under ${b}`
      : `not comparable as a ratio to that under ${b} (one of them is zero)`;
    parts.push(
      `the std of accuracy under ${a} is ${relation} ` +
        `(Brown–Forsythe ${pValue(test.pValue)}${range}), so with ${runs} the two spreads are ` +
        `${distinguishable ? "distinguishable" : "not distinguishable"} at the 5% level`,
    );
  }
  const churn = comparison.churnDifference;
  const churnDiffers = isFiniteNumber(churn.pValue) && churn.pValue < ALPHA;
  parts.push(
    `churn differs by ${percent(churn.value)} ${interval(churn)} (bootstrap ${pValue(churn.pValue)}: ` +
      `${churnDiffers ? "a real difference" : "no detectable difference"})`,
  );
  return `${a} vs ${b} (${comparison.a} vs ${comparison.b}): ${parts.join("; ")}.`;
}

/** The report's findings, in plain sentences. The IMPL vs ALGO comparison comes first. */
export function findings(result: AnalysisResult): string[] {
  const sentences: string[] = [];
  const isKey = (comparison: Comparison) =>
    new Set([comparison.settingA, comparison.settingB]).has("impl") &&
    new Set([comparison.settingA, comparison.settingB]).has("algo");
  const comparisons = [...result.comparisons].sort((x, y) => Number(isKey(y)) - Number(isKey(x)));
  for (const comparison of comparisons) sentences.push(comparisonFinding(comparison));
  for (const group of result.groups)
    sentences.push([...groupFinding(group), ...poolFinding(group)].join(" "));
  for (const group of result.groups) {
    for (const subgroup of group.subgroups ?? []) {
      const worst = subgroup.rates
        .filter((rates) => isFiniteNumber(rates.fnrStd.value))
        .sort((x, y) => y.fnrStd.value - x.fnrStd.value)[0];
      if (worst && subgroup.subgroup !== "all") {
        sentences.push(
          `${group.label}, subgroup ${subgroup.subgroup} (${subgroup.examples} examples): the FNR of ${worst.attribute} ` +
            `varies most from run to run, std ${withInterval(worst.fnrStd)} around a mean of ${percent(worst.fnrMean)}.`,
        );
      }
    }
  }
  if (result.overhead && result.overhead.length > 0) {
    const worst = [...result.overhead].sort((x, y) => y.overhead - x.overhead)[0]!;
    sentences.push(
      `Deterministic kernels cost up to ${ratio(worst.overhead)} the default time (${worst.model} on ${worst.device}, ` +
        `${worst.threads} thread(s)), over ${result.overhead.length} measured configurations.`,
    );
  }
  const excluded = result.problems.filter((problem) => problem.effect === "excluded").length;
  if (excluded > 0) {
    sentences.push(
      `${excluded} run folder(s) were left out of the analysis; see "Problems with the input".`,
    );
  }
  return sentences;
}

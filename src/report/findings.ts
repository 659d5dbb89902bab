import {
  type AnalysisResult,
  type GroupResult,
  type Hypothesis,
  implSilence,
} from "../analysis/index.js";
import {
  interval,
  isFiniteNumber,
  levelText,
  percent,
  pValue,
  ratio,
  ratioWithInterval,
  settingName,
  signedPoints,
  spread,
  weightSets,
  withInterval,
} from "./format.js";

/** "test examples", or "test (example, attribute) pairs" for multi-label tasks. */
const testUnits = (group: GroupResult) =>
  group.kind === "multilabel" ? "test (example, attribute) pairs" : "test examples";

function disagreement(group: GroupResult): string {
  if (group.identicalRuns === "weights")
    return "every run predicts identically (bit-identical weights)";
  if (group.identicalRuns === "predictions") return "every run predicts identically";
  return `two runs disagree on ${withInterval(group.churn)} of the ${testUnits(group)}`;
}

function groupFinding(group: GroupResult, level: number): string[] {
  const n = group.runs.length;
  const sentences: string[] = [];
  const accuracy = group.accuracy;
  const name = settingName(group.setting);
  if (accuracy) {
    const source = accuracy.source === "log" ? " (from log.csv)" : "";
    sentences.push(
      `${name} (${group.label}): top-1 accuracy ${withInterval(accuracy.mean)}${source} over ${n} runs at epoch ${group.epoch}; ` +
        `its sample std is ${spread(accuracy.stdSample, group, 3)}, and ${disagreement(group)}.`,
    );
  } else {
    sentences.push(`${name} (${group.label}), ${n} runs: ${disagreement(group)}.`);
  }
  const perClass = group.perClass;
  const baseline = perClass?.baseline;
  if (perClass && baseline && isFiniteNumber(perClass.ratioToTop1)) {
    const relative = baseline.relativeToIndependent;
    const units = perClass.unit === "class" ? "classes" : "attributes";
    const verdict =
      relative.low === null || relative.high === null
        ? ""
        : relative.low > 1
          ? `more than independent flips give: ${units} trade accuracy off against each other`
          : relative.high < 1
            ? `less than independent flips give: ${units} move together`
            : "consistent with independent per-example flips";
    sentences.push(
      `Per-${perClass.unit} std is ${ratio(perClass.ratioToTop1)} top-1's; if predictions flipped independently per example it would be about ${ratio(baseline.independentRatio)} (√(N/n_k)). ` +
        (verdict === ""
          ? `Relative to that baseline the per-${perClass.unit} spread is ${ratio(relative.value)} (an interval needs 4 runs).`
          : `Relative to that baseline the per-${perClass.unit} spread is ${ratioWithInterval(relative)} (${levelText(level)}): ${verdict}.`),
    );
  }
  if (group.identicalRuns === null && group.identity.identical === false) {
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
      const accuracy = isFiniteNumber(effect.meanAccuracyChange)
        ? `, accuracy ${signedPoints(effect.meanAccuracyChange)}`
        : "";
      const time = isFiniteNumber(effect.timeRatio)
        ? `, ${ratio(effect.timeRatio)} the training time`
        : "";
      return `${effect.field}: ${weights}, predictions disagreeing on ${percent(effect.meanChurn)} of the test examples${accuracy}${time}`;
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
    const shared = sets.filter((members) => members.length > 1);
    sentences.push(
      shared.length === 0
        ? `No two of the ${runs.length} runs ended with bit-identical weights.`
        : `Runs that ended with bit-identical weights: ${shared.map((members) => `{${members.join(", ")}}`).join("; ")}; ${sets.length - shared.length} run(s) ended with weights of their own.`,
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

/** One declared hypothesis in words: the claim, then what the data show. */
export function hypothesisFinding(hypothesis: Hypothesis, result: AnalysisResult): string {
  const comparison = result.comparisons.find(
    (c) => c.a === hypothesis.a && c.b === hypothesis.b && c.familyKey === hypothesis.familyKey,
  );
  const level = levelText(result.settings.level);
  const alpha = result.settings.alpha ?? 1 - result.settings.level;
  const prefix = `${hypothesis.claim} — `;
  if (hypothesis.verdict === "exact") return `${prefix}${hypothesis.statement}`;
  const measured = comparison?.accuracyStdRatio
    ? `σ ratio ${ratioWithInterval(comparison.accuracyStdRatio)} (${level}, F)`
    : "";
  if (hypothesis.verdict === "too few runs to tell") {
    return `${prefix}too few runs to tell: ${measured ? `${measured}; ` : ""}${hypothesis.statement}.`;
  }
  const tested = `${hypothesis.test} ${pValue(hypothesis.pValue)}, Holm ${pValue(hypothesis.pHolm)}`;
  const outcome =
    hypothesis.id === "algo vs impl"
      ? hypothesis.verdict === "supported"
        ? `equivalent within ${result.settings.equivalenceMargin}× at α = ${alpha}`
        : "equivalence not shown (the data allow ratios beyond the margin)"
      : hypothesis.verdict === "supported"
        ? `the spreads differ at α = ${alpha}`
        : "no difference shown — which is not evidence that they are equal";
  return `${prefix}${measured}; ${tested}: ${outcome}.`;
}

/** Test-set sampling beside the run-to-run spreads, per family. */
function samplingFinding(result: AnalysisResult): string[] {
  return (result.varianceAccounting ?? []).map((family) => {
    const sampling = Math.sqrt(family.testSetSampling.value);
    const largest = Math.max(...family.sources.map((source) => Math.sqrt(source.variance.value)));
    const compare =
      sampling > largest
        ? "more than the run-to-run std of any setting here"
        : "less than the largest run-to-run std here";
    return `${family.family}: drawing another test set of ${family.testSetSampling.examples} examples would move accuracy by about ${percent(sampling)} (√(p(1−p)/N)), ${compare} (${percent(largest)}).`;
  });
}

/** Why IMPL shows nothing, once per family where the hardware is the reason. */
export function silenceNotes(result: AnalysisResult): string[] {
  const notes = result.groups.map(implSilence).filter((text): text is string => text !== null);
  return [...new Set(notes)];
}

/** The report's findings, in plain sentences: the declared hypotheses first. */
export function findings(result: AnalysisResult): string[] {
  const sentences: string[] = [];
  for (const hypothesis of result.hypotheses ?? []) {
    sentences.push(hypothesisFinding(hypothesis, result));
  }
  sentences.push(...samplingFinding(result));
  for (const comparison of result.comparisons) {
    if (comparison.churnTest === null && comparison.runsNeededForTest !== null) continue;
    if (!comparison.churnTest) continue;
    const difference = comparison.churnDifference;
    // An exploratory pair may be of one setting (two configs): named by its groups.
    const [a, b] = comparison.exploratory
      ? [comparison.a, comparison.b]
      : [settingName(comparison.settingA), settingName(comparison.settingB)];
    const kind = comparison.exploratory ? " (exploratory, Holm over the exploratory pairs)" : "";
    sentences.push(
      `Churn, ${a} − ${b}${kind}: ${percent(difference.value)} ${interval(difference)} (${levelText(result.settings.level)}, jackknife); permutation ${pValue(comparison.churnTest.pValue)}, Holm ${pValue(comparison.holm.churn)}.`,
    );
  }
  for (const group of result.groups)
    sentences.push(
      [...groupFinding(group, result.settings.level), ...poolFinding(group)].join(" "),
    );
  for (const group of result.groups) {
    for (const subgroup of group.subgroups ?? []) {
      const worst = subgroup.rates
        .filter((rates) => isFiniteNumber(rates.fnrStd.value))
        .sort((x, y) => y.fnrStd.value - x.fnrStd.value)[0];
      if (worst && subgroup.subgroup !== "all") {
        sentences.push(
          `${group.label}, subgroup ${subgroup.subgroup} (${subgroup.examples} examples): the FNR of ${worst.attribute} ` +
            `varies most from run to run, std ${spread(worst.fnrStd, group)} around a mean of ${percent(worst.fnrMean)}.`,
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

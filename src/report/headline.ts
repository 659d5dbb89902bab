/**
 * The report's first lines: the user's question — how much of my result is noise, where does
 * it come from — answered in plain words, one family of groups (model × data × recipe) at a
 * time, with the numbers and their intervals. Everything here is read off the analysis; a
 * sentence is left out when the groups it needs are not there.
 */
import { type AnalysisResult, type GroupResult, STANDARD_SETTINGS } from "../analysis/index.js";
import { interval, isFiniteNumber, levelText, percent, ratio } from "./format.js";

function points(value: number | null | undefined): string {
  return isFiniteNumber(value) ? `${(value * 100).toFixed(2)} points` : "n/a";
}

function pointsInterval(estimate: { low: number | null; high: number | null }): string {
  const { low, high } = estimate;
  if (!isFiniteNumber(low) || high === null) return "";
  return ` [${(low * 100).toFixed(2)}, ${Number.isFinite(high) ? (high * 100).toFixed(2) : "unbounded"}]`;
}

/** Seeds alone: what retraining with fresh initialisation and data order does. */
function seedsSentence(group: GroupResult, level: string): string | null {
  const accuracy = group.accuracy;
  if (accuracy === null || group.identicalRuns !== null) return null;
  const runs = group.runs.length;
  const what =
    group.setting === "algo"
      ? "fresh seeds for initialisation and data order, with deterministic kernels"
      : "fresh seeds for initialisation and data order";
  return (
    `Retrained with ${what} (${runs} runs), two runs disagree on ${percent(group.churn.value)} ${interval(group.churn)} ` +
    `of the ${group.examples.toLocaleString("en")} test predictions, and top-1 accuracy (mean ${percent(accuracy.mean.value)}) ` +
    `moves with a standard deviation of ${points(accuracy.stdSample.value)}${pointsInterval(accuracy.stdSample)} ` +
    `(min ${percent(accuracy.min)}, max ${percent(accuracy.max)}; intervals ${level}).`
  );
}

/** The test set's own sampling noise, beside what the seeds do: the scale a reader needs. */
function samplingSentence(result: AnalysisResult, seeds: GroupResult): string | null {
  const family = result.varianceAccounting?.find((entry) => entry.familyKey === seeds.familyKey);
  const std = seeds.accuracy?.stdSample.value;
  if (family === undefined || !isFiniteNumber(std) || std === 0) return null;
  const sampling = Math.sqrt(family.testSetSampling.value);
  return `For scale: another test set of ${family.testSetSampling.examples.toLocaleString("en")} examples would move accuracy by about ${points(sampling)} (√(p(1−p)/N)), ${ratio(sampling / std)} the seeds' std.`;
}

function classesSentence(group: GroupResult): string | null {
  const perClass = group.perClass;
  if (perClass === null || group.identicalRuns !== null) return null;
  const ranked = perClass.names
    .map((name, i) => ({ name, std: perClass.stdSample[i]?.value ?? Number.NaN }))
    .filter((entry) => isFiniteNumber(entry.std))
    .sort((a, b) => b.std - a.std)
    .slice(0, 3);
  if (ranked.length === 0) return null;
  const listed = ranked.map((entry) => `${entry.name} (${points(entry.std)})`).join(", ");
  const baseline = perClass.baseline;
  const verdict =
    baseline === null || perClass.ratioToTop1 === null
      ? ""
      : ` Per-class accuracy moves ${ratio(perClass.ratioToTop1)} as much as top-1, against about ${ratio(baseline.independentRatio)} if each prediction flipped independently.`;
  return `The ${perClass.unit === "class" ? "classes" : "attributes"} that move most (std of their accuracy over runs): ${listed}.${verdict}`;
}

function kernelsSentence(impl: GroupResult | undefined, control: GroupResult | undefined) {
  if (impl === undefined) return null;
  const runs = `IMPL's ${impl.runs.length} runs (seeds fixed, nondeterministic kernels allowed)`;
  if (impl.identicalRuns === "weights") {
    const control_ =
      control?.identicalRuns === "weights"
        ? `, like Control's ${control.runs.length} (deterministic kernels)`
        : "";
    // Why (CPU kernels at a fixed thread count are deterministic) is the notice above.
    return `The kernels add nothing on this hardware: ${runs} ended with bit-identical weights${control_}.`;
  }
  if (impl.identicalRuns === "predictions") {
    return `The kernels change no prediction here: ${runs} predict identically.`;
  }
  return `The kernels alone: ${runs} disagree on ${percent(impl.churn.value)} ${interval(impl.churn)} of the test predictions.`;
}

function toolingSentence(pool: GroupResult, seeds: GroupResult | undefined): string | null {
  const effects = (pool.poolEffects ?? []).filter(
    (effect) => effect.pairs > 0 && effect.meanChurn !== null,
  );
  if (effects.length === 0) return null;
  const names: Record<string, string> = {
    threads: "the thread count",
    memoryFormat: "the memory layout",
    cpuCapability: "the CPU's vector ISA",
    precision: "bf16 mixed precision",
    setting: "deterministic kernels",
    device: "the device",
    worldSize: "the data-parallel world size",
  };
  const listed = effects
    .map((effect) => {
      const moved =
        effect.pairsWithDifferentWeights === 0
          ? "keeps the bits"
          : `changes ${percent(effect.meanChurn)} of the predictions`;
      return `${names[effect.field] ?? effect.field} ${moved}`;
    })
    .join(", ");
  const largest = Math.max(...effects.map((effect) => effect.meanChurn!));
  const scale =
    seeds && seeds.identicalRuns === null && seeds.churn.value > 0
      ? ` — at most ${ratio(largest / seeds.churn.value)} of what fresh seeds change`
      : "";
  const spreadText =
    pool.accuracy && pool.identicalRuns === null
      ? `; across these runs top-1 accuracy spans ${percent(pool.accuracy.min)}–${percent(pool.accuracy.max)}`
      : "";
  return `With every seed fixed, changing the tooling alone, one thing at a time: ${listed}${scale}${spreadText}.`;
}

/** Plain sentences for the first screen, family by family. */
export function headline(result: AnalysisResult): string[] {
  const level = levelText(result.settings.level);
  const families = new Map<string, GroupResult[]>();
  for (const group of result.groups) {
    families.set(group.familyKey, [...(families.get(group.familyKey) ?? []), group]);
  }
  const sentences: string[] = [];
  for (const groups of families.values()) {
    const bySetting = (setting: string) => groups.find((group) => group.setting === setting);
    const seeds = bySetting("algo") ?? bySetting("algo+impl");
    const pools = groups.filter((group) => !STANDARD_SETTINGS.has(group.setting));
    const lines = [
      seeds ? seedsSentence(seeds, level) : null,
      seeds ? samplingSentence(result, seeds) : null,
      seeds ? classesSentence(seeds) : null,
      kernelsSentence(bySetting("impl"), bySetting("control")),
      ...pools.map((pool) => toolingSentence(pool, seeds)),
    ].filter((line): line is string => line !== null);
    if (lines.length > 0 && families.size > 1) lines[0] = `${groups[0]!.label}: ${lines[0]}`;
    sentences.push(...lines);
  }
  return sentences;
}

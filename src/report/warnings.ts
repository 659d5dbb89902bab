/**
 * What the report's first screen must say before any figure: groups whose accuracy is near
 * chance (an untrained model's noise says little about a trained one's) and runs left out of
 * the analysis (whose absence changes every figure of their group).
 */
import type { AnalysisResult, GroupResult } from "../analysis/result-types.js";
import { percent } from "./format.js";

/** Accuracy this close to chance, as a share of the way from chance to 100 %, is "near chance". */
export const NEAR_CHANCE_SHARE = 0.1;

/** Runs listed by name in the first screen's note; the rest are counted. */
const LISTED_EXCLUSIONS = 5;

/** Chance accuracy of a single-label task (1 / classes), or null where it is not defined. */
function chanceAccuracy(group: GroupResult): number | null {
  if (group.kind !== "multiclass" || !(group.classes > 1)) return null;
  return 1 / group.classes;
}

export function nearChanceWarning(group: GroupResult): string | null {
  const chance = chanceAccuracy(group);
  const accuracy = group.accuracy?.mean.value;
  if (chance === null || accuracy === undefined || !Number.isFinite(accuracy)) return null;
  if (accuracy > chance + NEAR_CHANCE_SHARE * (1 - chance)) return null;
  return (
    `Near chance: ${group.label} reaches ${percent(accuracy)} top-1 accuracy, where guessing gives ` +
    `${percent(chance)} (1 in ${group.classes} classes). These models have barely learnt; their ` +
    "spread and churn describe untrained networks and say little about trained ones. Train " +
    "longer or check the recipe before reading the figures below."
  );
}

export function exclusionWarning(result: AnalysisResult): string | null {
  const excluded = result.problems.filter((problem) => problem.effect === "excluded");
  if (excluded.length === 0) return null;
  const listed = excluded
    .slice(0, LISTED_EXCLUSIONS)
    .map((problem) => `${problem.path} (${problem.message})`);
  const more = excluded.length - listed.length;
  return (
    `${excluded.length} run${excluded.length === 1 ? " was" : "s were"} left out of the analysis: ` +
    `${listed.join("; ")}${more > 0 ? `; and ${more} more` : ""}. ` +
    (excluded.length === 1
      ? 'Every figure below is without it; "Problems with the input" lists it.'
      : 'Every figure below is without them; "Problems with the input" lists each.')
  );
}

/** The first screen's warnings, most important first. */
export function firstScreenWarnings(result: AnalysisResult): string[] {
  const nearChance = result.groups.map(nearChanceWarning);
  return [exclusionWarning(result), ...nearChance].filter((text): text is string => text !== null);
}

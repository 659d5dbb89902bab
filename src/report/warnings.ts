/**
 * What the report's first screen must say before any figure: groups whose accuracy is near
 * chance (an untrained model's noise says little about a trained one's) and runs left out of
 * the analysis (whose absence changes every figure of their group).
 */
import type { AnalysisResult, GroupResult } from "../analysis/index.js";
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

function isNearChance(group: GroupResult): boolean {
  const chance = chanceAccuracy(group);
  const accuracy = group.accuracy?.mean.value;
  if (chance === null || accuracy === undefined || !Number.isFinite(accuracy)) return false;
  return accuracy <= chance + NEAR_CHANCE_SHARE * (1 - chance);
}

/** One warning naming every group near chance, with its accuracy and what guessing gives. */
export function nearChanceWarning(groups: readonly GroupResult[]): string | null {
  const near = groups.filter(isNearChance);
  if (near.length === 0) return null;
  const listed = near
    .map(
      (group) =>
        `${group.label} reaches ${percent(group.accuracy!.mean.value)} top-1 accuracy where guessing gives ${percent(1 / group.classes)} (1 in ${group.classes} classes)`,
    )
    .join("; ");
  const these = near.length === 1 ? "These models have" : "Their models have";
  return (
    `Near chance: ${listed}. ${these} barely learnt; their spread and churn describe ` +
    "untrained networks and say little about trained ones. Train longer or check the recipe " +
    "before reading the figures below."
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
  return [exclusionWarning(result), nearChanceWarning(result.groups)].filter(
    (text): text is string => text !== null,
  );
}

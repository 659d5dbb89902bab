/**
 * What the original's analysis code would have printed for the same run folders, beside
 * nnr's corrected metrics, so numbers can be compared with those already published. Its three
 * slips, reproduced here on purpose and nowhere else:
 * - its "churn" returned the fraction of test examples on which two runs *agree* (1 − churn);
 * - its FNR divided false negatives by FP + TN (the negatives) instead of FN + TP;
 * - it took a run's "last" predictions as the lexicographically greatest file name, so of
 *   pred9 … pred199 it took pred99.txt (epoch 99 of 200), not pred199.txt.
 * Accuracy's std is numpy's default (population), as the original printed it.
 */
import { basename } from "node:path";
import { accuracyPerRun, churnMatrix } from "./metrics/classification.js";
import { type Confusion, confusionPerAttribute, errorRates } from "./metrics/multilabel.js";
import { meanOverPairs } from "./metrics/pairwise.js";
import { discoverRuns } from "./runs/discover.js";
import { type GroupData, loadGroup } from "./runs/load-group.js";
import type { Problem, RunFolder } from "./runs/types.js";
import { mean, stdPopulation } from "./statistics/stats.js";

export interface AsOriginalGroup {
  label: string;
  runs: number;
  /** The epoch nnr analyses (the largest), and the one the original took (the file name sorted last). */
  finalEpoch: number;
  originalEpoch: number;
  originalFile: string;
  /** At each one's epoch: mean accuracy and its population std (null without labels or log). */
  accuracy: { mean: number; stdPopulation: number } | null;
  originalAccuracy: { mean: number; stdPopulation: number } | null;
  /** nnr's churn (disagreement) at the final epoch; the original's printed "churn" at its epoch. */
  churn: number;
  originalChurn: number;
  /**
   * Multi-label: the mean over runs and attributes of FNR, nnr's (FN/(FN+TP), final epoch) and
   * the original's (FN/(FP+TN), at its epoch).
   */
  fnr: { corrected: number; original: number } | null;
}

/** The original's "last" file: Python's sorted() over the names, last — by characters. */
export function lexicographicLastEpoch(files: ReadonlyMap<number, string>): number {
  let best: [string, number] | undefined;
  for (const [epoch, path] of files) {
    const name = basename(path);
    if (best === undefined || name > best[0]) best = [name, epoch];
  }
  if (best === undefined) throw new Error("no prediction files");
  return best[1];
}

/** The original's FNR: FN / (FP + TN). NaN without negatives. */
export function originalFnr(c: { fp: number; tn: number; fn: number }): number {
  return c.fp + c.tn === 0 ? Number.NaN : c.fn / (c.fp + c.tn);
}

function accuracyOf(group: GroupData): AsOriginalGroup["accuracy"] {
  const perRun =
    group.labels !== undefined
      ? accuracyPerRun(
          group.runs.map((run) => run.predictions),
          group.labels,
        )
      : group.runs.map((run) => run.loggedAccuracy);
  if (perRun.some((value) => value === undefined)) return null;
  const values = perRun as number[];
  return { mean: mean(values), stdPopulation: stdPopulation(values) };
}

/** Mean over runs and attributes of an FNR; attributes where it is undefined are skipped. */
function meanFnr(group: GroupData, rate: (c: Confusion) => number): number | null {
  if (group.kind !== "multilabel" || group.labels === undefined) return null;
  const rates: number[] = [];
  for (const run of group.runs) {
    for (const c of confusionPerAttribute(run.predictions, group.labels, group.attributes)) {
      const value = rate(c);
      if (Number.isFinite(value)) rates.push(value);
    }
  }
  return rates.length === 0 ? Number.NaN : mean(rates);
}

/** Both readings of one group of replicates; undefined when it has no usable run. */
export function asOriginalGroup(
  folders: readonly RunFolder[],
  problems: Problem[],
): AsOriginalGroup | undefined {
  const final = loadGroup(folders, undefined, problems);
  if (final === undefined) return undefined;
  const originalEpoch = lexicographicLastEpoch(folders[0]!.predictionFiles);
  // Problems at the original's epoch are the same runs' again: not reported twice.
  const atOriginal = loadGroup(folders, originalEpoch, []) ?? final;
  const churnAt = (group: GroupData) =>
    group.runs.length < 2
      ? Number.NaN
      : meanOverPairs(churnMatrix(group.runs.map((r) => r.predictions)));
  return {
    label: final.descriptor.label,
    runs: final.runs.length,
    finalEpoch: final.epoch,
    originalEpoch: atOriginal.epoch,
    originalFile: basename(folders[0]!.predictionFiles.get(originalEpoch)!),
    accuracy: accuracyOf(final),
    originalAccuracy: accuracyOf(atOriginal),
    churn: churnAt(final),
    originalChurn: 1 - churnAt(atOriginal),
    fnr:
      final.kind === "multilabel" && final.labels !== undefined
        ? {
            corrected: meanFnr(final, (c) => errorRates(c).fnr)!,
            original: meanFnr(atOriginal, originalFnr)!,
          }
        : null,
  };
}

/** Every group under `dir`, read both ways. */
export function analyzeAsOriginal(
  dir: string,
  labelsFile?: string,
): { groups: AsOriginalGroup[]; problems: Problem[] } {
  const { runs, problems } = discoverRuns(dir, labelsFile);
  const byGroup = new Map<string, RunFolder[]>();
  for (const run of runs) {
    const key = run.descriptor.groupKey;
    byGroup.set(key, [...(byGroup.get(key) ?? []), run]);
  }
  const groups: AsOriginalGroup[] = [];
  for (const folders of byGroup.values()) {
    const group = asOriginalGroup(folders, problems);
    if (group !== undefined) groups.push(group);
  }
  return { groups, problems };
}

const number = (x: number | null | undefined, digits = 4) =>
  x === null || x === undefined || Number.isNaN(x) ? "—" : x.toFixed(digits);

/** Lines that set each group's corrected metrics beside what the original printed. */
export function asOriginalTable(groups: readonly AsOriginalGroup[]): string {
  const lines = [
    "As the original's analysis code would have printed it (nnr's corrected value → the original's):",
  ];
  for (const g of groups) {
    const accuracy = (a: AsOriginalGroup["accuracy"]) =>
      a === null ? "—" : `${number(a.mean)} ± ${number(a.stdPopulation)}`;
    lines.push(
      `${g.label} (${g.runs} runs): epoch ${g.finalEpoch} → ${g.originalFile} (epoch ${g.originalEpoch}, the name sorted last); ` +
        `accuracy ${accuracy(g.accuracy)} → ${accuracy(g.originalAccuracy)} (mean ± std, population); ` +
        `churn ${number(g.churn)} → "churn" ${number(g.originalChurn)} (its agreement)` +
        (g.fnr === null
          ? ""
          : `; FNR ${number(g.fnr.corrected)} (FN/(FN+TP)) → ${number(g.fnr.original)} (FN/(FP+TN))`),
    );
  }
  return lines.join("\n");
}

/**
 * Accuracy and per-class accuracy of a group's runs, their spreads computed from integer
 * counts (exact zeros) with χ² intervals, and the baselines they are judged against.
 */

import { correctPerRun, perClassCorrect } from "../metrics/classification.js";
import { attributeCorrect } from "../metrics/multilabel.js";
import type { AccuracyResult, PerClassResult } from "../results/result-types.js";
import type { GroupData } from "../runs/load-group.js";
import { countStd } from "../statistics/count-spread.js";
import type { Estimate } from "../statistics/estimate.js";
import { independentErrorsVariance } from "../statistics/independent-errors.js";
import { chiSquareStdInterval, fractionInterval } from "../statistics/intervals.js";
import { perClassBaseline } from "../statistics/per-class-baseline.js";
import { maximum, mean, minimum, stdPopulation, stdSample } from "../statistics/stats.js";

/** A sample std with its χ² interval; exactly 0 with no interval when every run is equal. */
export function stdEstimate(s: number, n: number, level: number): Estimate {
  return s === 0 ? { value: 0, low: null, high: null } : chiSquareStdInterval(s, n, level);
}

/**
 * t interval of a fraction's mean over n runs whose sample std is s, on the logit scale so
 * that it stays inside [0, 1] (fractionInterval). Used for accuracy, per-class accuracy and
 * FPR/FNR alike.
 */
export function fractionMeanEstimate(value: number, s: number, n: number, level: number): Estimate {
  if (n < 2 || s === 0) return { value, low: null, high: null };
  return fractionInterval(value, s / Math.sqrt(n), n - 1, level, "t");
}

const meanEstimate = (values: readonly number[], s: number, level: number) =>
  fractionMeanEstimate(mean(values), s, values.length, level);

function fromValues(
  perRun: number[],
  correct: number[] | null,
  denominator: number,
  source: AccuracyResult["source"],
  level: number,
): Omit<AccuracyResult, "independentErrorsVariance"> {
  const s = correct ? countStd(correct, denominator, 1) : stdSample(perRun);
  const population = correct ? countStd(correct, denominator, 0) : stdPopulation(perRun);
  return {
    source,
    perRun,
    correctPerRun: correct,
    denominator,
    mean: meanEstimate(perRun, s, level),
    min: minimum(perRun),
    max: maximum(perRun),
    stdPopulation: population,
    stdSample: stdEstimate(s, perRun.length, level),
  };
}

/** Accuracy from the labels (exact counts) or, without labels, from log.csv's values. */
export function groupAccuracy(
  group: GroupData,
  level: number,
  notes: string[],
): AccuracyResult | null {
  const predictions = group.runs.map((run) => run.predictions);
  if (group.labels !== undefined) {
    const correct = correctPerRun(predictions, group.labels);
    const denominator = group.labels.length;
    return {
      ...fromValues(
        correct.map((c) => c / denominator),
        correct,
        denominator,
        "labels",
        level,
      ),
      independentErrorsVariance: independentErrorsVariance(predictions, group.labels),
    };
  }
  if (group.runs.every((run) => run.loggedAccuracy !== undefined)) {
    notes.push("no test labels: accuracy is log.csv's val_accuracy; per-class metrics skipped");
    const logged = group.runs.map((run) => run.loggedAccuracy!);
    return {
      ...fromValues(logged, null, group.examples, "log", level),
      independentErrorsVariance: null,
    };
  }
  notes.push("no test labels and no val_accuracy in log.csv: accuracy skipped");
  return null;
}

/** Per-class (per-attribute) accuracy spread, against top-1's and the independent-flips baseline. */
export function groupPerClass(group: GroupData, top1Std: number, level: number): PerClassResult {
  const predictions = group.runs.map((run) => run.predictions);
  const multilabel = group.kind === "multilabel";
  const counts = multilabel
    ? {
        correct: attributeCorrect(predictions, group.labels!, group.attributes),
        support: new Array<number>(group.attributes).fill(group.examples),
      }
    : perClassCorrect(predictions, group.labels!, group.classes);
  const count = counts.support.length;
  const names = group.names?.slice(0, count) ?? Array.from({ length: count }, (_, k) => String(k));
  const present = Array.from({ length: count }, (_, k) => k).filter((k) => counts.support[k]! > 0);
  const column = (k: number) => counts.correct.map((row) => row[k]!);
  const n = group.runs.length;
  const stds = present.map((k) => countStd(column(k), counts.support[k]!, 1));
  const meanStd = mean(stds);
  return {
    unit: multilabel ? "attribute" : "class",
    names: present.map((k) => names[k] ?? String(k)),
    support: present.map((k) => counts.support[k]!),
    meanAccuracy: present.map((k) => mean(column(k)) / counts.support[k]!),
    meanAccuracyInterval: present.map((k, i) =>
      fractionMeanEstimate(mean(column(k)) / counts.support[k]!, stds[i]!, n, level),
    ),
    stdSample: stds.map((s) => stdEstimate(s, n, level)),
    meanStd,
    maxStd: maximum(stds),
    ratioToTop1: top1Std > 0 ? meanStd / top1Std : null,
    baseline: perClassBaseline(
      counts.correct.map((row) => present.map((k) => row[k]!)),
      present.map((k) => counts.support[k]!),
      level,
    ),
  };
}

/** Whether every run made exactly the same predictions. */
export function identicalPredictions(group: GroupData): boolean {
  const first = group.runs[0]!.predictions;
  return group.runs.every((run) => {
    const p = run.predictions;
    for (let e = 0; e < p.length; e++) if (p[e] !== first[e]) return false;
    return true;
  });
}

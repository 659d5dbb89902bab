import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "../../io/atomic.js";
import { formatCsv } from "../../io/csv.js";
import type { Estimate } from "../statistics/estimate.js";
import type { AnalysisResult, GroupResult } from "./result-types.js";

export const RESULT_COLUMNS = [
  "group",
  "model",
  "dataset",
  "setting",
  "batch_norm",
  "epoch",
  "runs",
  "metric",
  "scope",
  "value",
  "ci_low",
  "ci_high",
  "note",
] as const;

type Row = Record<(typeof RESULT_COLUMNS)[number], string | number | boolean | null>;

const finiteOrNull = (value: number | null | undefined) =>
  value === null || value === undefined || !Number.isFinite(value) ? null : value;

/** The note, with what the range did to a fraction's interval when it shaped it. */
function boundedNote(estimate: Estimate, note: string): string {
  if (estimate.bounded === undefined) return note;
  const said = `interval bounded ${estimate.bounded} by the range`;
  return note ? `${note}; ${said}` : said;
}

/** Adds one row of a group's metric; a null value adds none. */
type AddRow = (
  metric: string,
  value: number | Estimate | null,
  scope?: string,
  note?: string,
) => void;

function rowAdder(group: GroupResult, rows: Row[]): AddRow {
  return (metric, value, scope = "", note = "") => {
    if (value === null) return;
    const estimate = typeof value === "number" ? { value, low: null, high: null } : value;
    rows.push({
      group: group.label,
      model: group.model,
      dataset: group.dataset,
      setting: group.setting,
      batch_norm: group.batchNorm,
      epoch: group.epoch,
      runs: group.runs.length,
      metric,
      scope,
      value: finiteOrNull(estimate.value),
      ci_low: finiteOrNull(estimate.low),
      ci_high: finiteOrNull(estimate.high),
      note: boundedNote(estimate, note),
    });
  };
}

/** The note of a spread that identical runs make exactly 0, else "". */
const identicalNote = (group: GroupResult) =>
  group.identicalRuns === null ? "" : `runs identical (${group.identicalRuns}): exactly 0`;

function accuracyRows(add: AddRow, group: GroupResult): void {
  const { accuracy } = group;
  if (!accuracy) return;
  const note = accuracy.source === "log" ? "from log.csv val_accuracy" : "";
  add("accuracy_mean", accuracy.mean, "", note || "t interval over runs, logit scale");
  add("accuracy_min", accuracy.min, "", note);
  add("accuracy_max", accuracy.max, "", note);
  add("accuracy_std_population", accuracy.stdPopulation, "", "ddof=0, as numpy/the original");
  const same = identicalNote(group);
  add("accuracy_std_sample", accuracy.stdSample, "", same || "ddof=1; chi-square interval");
  add(
    "accuracy_variance_independent_errors",
    accuracy.independentErrorsVariance,
    "",
    "sum p_i(1-p_i)/N^2 (Jordan)",
  );
}

function pairRows(add: AddRow, group: GroupResult): void {
  const same = identicalNote(group);
  add("churn", group.churn, "", same || "mean pairwise fraction predicted differently; jackknife");
  add("l2", group.l2, "", same || "mean pairwise L2 of flattened trained weights; jackknife");
}

function perClassRows(add: AddRow, perClass: GroupResult["perClass"]): void {
  if (!perClass) return;
  for (const [k, name] of perClass.names.entries()) {
    const scope = `${perClass.unit}=${name}`;
    add(
      "per_class_accuracy_mean",
      perClass.meanAccuracyInterval[k]!,
      scope,
      "t interval over runs",
    );
    add("per_class_accuracy_std_sample", perClass.stdSample[k]!, scope);
  }
  add("per_class_std_mean", perClass.meanStd, "", "mean over classes of the sample std");
  add("per_class_std_max", perClass.maxStd);
  add("per_class_std_to_top1_std", perClass.ratioToTop1, "", "mean per-class std / top-1 std");
  if (!perClass.baseline) return;
  add(
    "per_class_std_to_top1_independent",
    perClass.baseline.independentRatio,
    "",
    "mean sqrt(N/n_k): the ratio independent per-example flips would give",
  );
  add(
    "per_class_spread_vs_independent",
    perClass.baseline.relativeToIndependent,
    "",
    "sqrt(sum_k var C_k / var sum_k C_k); 1 = independent flips",
  );
}

function runsNeededRows(add: AddRow, group: GroupResult): void {
  for (const line of group.runsNeeded) {
    add(
      `runs_needed_${line.metric.replaceAll(" ", "_")}`,
      line.needed,
      "",
      `for +/-${line.target} (${line.kind})`,
    );
  }
}

function instabilityRows(add: AddRow, { instability }: GroupResult): void {
  add("instability_mean", instability.mean, "", `per ${instability.unit}; descriptive`);
  add("instability_unstable_fraction", instability.unstableFraction, "", "some run off majority");
}

function subgroupRows(add: AddRow, group: GroupResult): void {
  for (const subgroup of group.subgroups ?? []) {
    for (const rates of subgroup.rates) {
      const scope = `attribute=${rates.attribute};subgroup=${subgroup.subgroup}`;
      add("fpr_mean", rates.fprMeanInterval, scope, "t interval over runs");
      add("fpr_std_sample", rates.fprStd, scope, "FP/(FP+TN)");
      add("fnr_mean", rates.fnrMeanInterval, scope, "t interval over runs");
      add("fnr_std_sample", rates.fnrStd, scope, "FN/(FN+TP)");
    }
  }
}

function identityRows(add: AddRow, { identity }: GroupResult): void {
  if (identity.identical !== null) {
    add("bit_identical", identity.identical ? 1 : 0, "", `weight hashes from ${identity.source}`);
  }
  add("distinct_weight_hashes", identity.runsWithHash > 0 ? identity.distinctHashes : null);
}

function poolRows(add: AddRow, group: GroupResult): void {
  for (const effect of group.poolEffects ?? []) {
    const scope = `field=${effect.field}`;
    const pairs = `over ${effect.pairs} pairs differing only in ${effect.field}`;
    add("pool_pairs_with_different_weights", effect.pairsWithDifferentWeights, scope, pairs);
    add("pool_field_churn", effect.meanChurn, scope, pairs);
    add("pool_field_accuracy_change", effect.meanAccuracyChange ?? null, scope, pairs);
    add("pool_field_time_ratio", effect.timeRatio ?? null, scope, `geometric mean ${pairs}`);
  }
}

/** A group's rows, in results.csv's order: accuracy, pairs, classes, runs needed, … pools. */
function groupRows(group: GroupResult): Row[] {
  const rows: Row[] = [];
  const add = rowAdder(group, rows);
  accuracyRows(add, group);
  pairRows(add, group);
  perClassRows(add, group.perClass);
  runsNeededRows(add, group);
  instabilityRows(add, group);
  subgroupRows(add, group);
  identityRows(add, group);
  poolRows(add, group);
  return rows;
}

/** One row per group × metric (and per comparison × test), like the original's CSVs. */
export function resultRows(result: AnalysisResult): Row[] {
  const rows = result.groups.flatMap(groupRows);
  for (const comparison of result.comparisons) {
    const base = {
      group: `${comparison.a} vs ${comparison.b}`,
      model: "",
      dataset: "",
      setting: `${comparison.settingA} vs ${comparison.settingB}`,
      batch_norm: "",
      epoch: "",
      runs: `${comparison.runsA}+${comparison.runsB}`,
    };
    const row = (metric: string, estimate: Estimate | number | null, note: string) => {
      if (estimate === null) return;
      const e =
        typeof estimate === "number" ? { value: estimate, low: null, high: null } : estimate;
      rows.push({
        ...base,
        metric,
        scope: comparison.exploratory
          ? `exploratory (Holm among exploratory pairs); differs in ${comparison.differsIn.join(", ")}`
          : "",
        value: finiteOrNull(e.value),
        ci_low: finiteOrNull(e.low),
        ci_high: finiteOrNull(e.high),
        note,
      });
    };
    row(
      "accuracy_std_ratio",
      comparison.accuracyStdRatio,
      comparison.noRatio ?? "sample std A / B; F interval",
    );
    const spread = comparison.spreadTest;
    if (spread) {
      row(
        "accuracy_spread_test_p",
        spread.pValue,
        `${spread.exact ? "exact" : "Monte Carlo"} permutation; Holm p = ${comparison.holm.spread ?? "n/a"}`,
      );
    }
    const equivalence = comparison.equivalence;
    if (equivalence) {
      row(
        "accuracy_std_equivalence_p",
        equivalence.pValue,
        `TOST within ${equivalence.margin}x; min p ${equivalence.minimumP}`,
      );
    }
    row("churn_difference", comparison.churnDifference, "churn A - B; jackknife interval");
    const churn = comparison.churnTest;
    if (churn) {
      row(
        "churn_test_p",
        churn.pValue,
        `${churn.exact ? "exact" : "Monte Carlo"} permutation; Holm p = ${comparison.holm.churn ?? "n/a"}`,
      );
    }
    row("probability_a_higher", comparison.probabilityAHigher, "P(acc A > acc B), ties 1/2");
  }
  for (const hypothesis of result.hypotheses ?? []) {
    rows.push({
      group: `${hypothesis.a} vs ${hypothesis.b}`,
      model: "",
      dataset: "",
      setting: hypothesis.id,
      batch_norm: "",
      epoch: "",
      runs: "",
      metric: "hypothesis",
      scope: hypothesis.claim,
      value: finiteOrNull(hypothesis.pHolm),
      ci_low: null,
      ci_high: null,
      note: `${hypothesis.verdict}; ${hypothesis.test}; raw p = ${hypothesis.pValue ?? "n/a"}`,
    });
  }
  return rows;
}

/** Writes results.csv and results.json into `outDir`, each atomically. */
export function writeResults(
  result: AnalysisResult,
  outDir: string,
): { csv: string; json: string } {
  mkdirSync(outDir, { recursive: true });
  const csv = join(outDir, "results.csv");
  const json = join(outDir, "results.json");
  writeFileAtomicSync(csv, formatCsv(RESULT_COLUMNS, resultRows(result)));
  // JSON has no NaN: undefined metrics are written as null.
  writeFileAtomicSync(json, `${JSON.stringify(result, null, 2)}\n`);
  return { csv, json };
}

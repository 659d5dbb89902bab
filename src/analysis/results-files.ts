import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { writeFileAtomicSync } from "../io/atomic.js";
import { formatCsv } from "../io/csv.js";
import type { Estimate } from "./bootstrap.js";
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

function groupRows(group: GroupResult): Row[] {
  const rows: Row[] = [];
  const add = (metric: string, value: number | Estimate | null, scope = "", note = "") => {
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
      note,
    });
  };
  const { accuracy, perClass, instability, identity } = group;
  if (accuracy) {
    const note = accuracy.source === "log" ? "from log.csv val_accuracy" : "";
    add("accuracy_mean", accuracy.mean, "", note);
    add("accuracy_min", accuracy.min, "", note);
    add("accuracy_max", accuracy.max, "", note);
    add("accuracy_std_population", accuracy.stdPopulation, "", "ddof=0, as numpy/the original");
    add("accuracy_std_sample", accuracy.stdSample, "", "ddof=1");
  }
  add("churn", group.churn, "", "mean pairwise fraction predicted differently");
  add("l2", group.l2, "", "mean pairwise L2 of flattened trained weights");
  if (perClass) {
    for (const [k, name] of perClass.names.entries()) {
      add("per_class_accuracy_std_sample", perClass.stdSample[k]!, `${perClass.unit}=${name}`);
    }
    add("per_class_std_mean", perClass.meanStd, "", "mean over classes of the sample std");
    add("per_class_std_max", perClass.maxStd);
    add("per_class_std_to_top1_std", perClass.ratioToTop1, "", "mean per-class std / top-1 std");
  }
  add("instability_mean", instability.mean, "", `per ${instability.unit}`);
  add("instability_unstable_fraction", instability.unstableFraction, "", "some run off majority");
  for (const subgroup of group.subgroups ?? []) {
    for (const rates of subgroup.rates) {
      const scope = `attribute=${rates.attribute};subgroup=${subgroup.subgroup}`;
      add("fpr_mean", rates.fprMean, scope);
      add("fpr_std_sample", rates.fprStd, scope, "FP/(FP+TN)");
      add("fnr_mean", rates.fnrMean, scope);
      add("fnr_std_sample", rates.fnrStd, scope, "FN/(FN+TP)");
    }
  }
  if (identity.identical !== null) {
    add("bit_identical", identity.identical ? 1 : 0, "", `weight hashes from ${identity.source}`);
  }
  add("distinct_weight_hashes", identity.runsWithHash > 0 ? identity.distinctHashes : null);
  for (const effect of group.poolEffects ?? []) {
    const scope = `field=${effect.field}`;
    const pairs = `over ${effect.pairs} pairs differing only in ${effect.field}`;
    add("pool_pairs_with_different_weights", effect.pairsWithDifferentWeights, scope, pairs);
    add("pool_field_churn", effect.meanChurn, scope, pairs);
  }
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
    const test = comparison.accuracySpreadTest;
    if (test) {
      rows.push({
        ...base,
        metric: "accuracy_spread_test_p",
        scope: "",
        value: finiteOrNull(test.pValue),
        ci_low: null,
        ci_high: null,
        note: `Brown-Forsythe F(${test.df1},${test.df2}) = ${finiteOrNull(test.statistic) ?? "n/a"}`,
      });
    }
    const ratio = comparison.accuracyStdRatio;
    if (ratio) {
      rows.push({
        ...base,
        metric: "accuracy_std_ratio",
        scope: "",
        value: finiteOrNull(ratio.value),
        ci_low: finiteOrNull(ratio.low),
        ci_high: finiteOrNull(ratio.high),
        note: `sample std A / B; bootstrap p = ${finiteOrNull(ratio.pValue) ?? "n/a"}`,
      });
    }
    const churn = comparison.churnDifference;
    rows.push({
      ...base,
      metric: "churn_difference",
      scope: "",
      value: finiteOrNull(churn.value),
      ci_low: finiteOrNull(churn.low),
      ci_high: finiteOrNull(churn.high),
      note: `churn A - B; bootstrap p = ${finiteOrNull(churn.pValue) ?? "n/a"}`,
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

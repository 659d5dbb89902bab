import type { TopLevelSpec } from "vega-lite";
import type { AnalysisResult, GroupResult } from "../analysis/index.js";
import { levelText, shortLabels } from "./format.js";

/** A chart of the report: its file stem, title, and Vega-Lite spec. */
export interface ChartSpec {
  name: string;
  title: string;
  spec: TopLevelSpec;
}

const CONFIG = {
  font: "DejaVu Sans",
  view: { stroke: null },
  // Group labels (smallcnn_fashion-mnist_algoimpl) must show whole: they differ at the end.
  axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 400 },
  legend: { labelLimit: 300 },
};

function withConfig(spec: Record<string, unknown>): TopLevelSpec {
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    config: CONFIG,
    ...spec,
  } as TopLevelSpec;
}

const orNull = (value: number | null | undefined) =>
  value === null || value === undefined || !Number.isFinite(value) ? null : value;

/** Point with its bootstrap interval per group, the intervals computed by the analysis. */
function intervalChart(
  name: string,
  title: string,
  axisTitle: string,
  rows: { group: string; value: number | null; low: number | null; high: number | null }[],
  order: string[],
): ChartSpec | null {
  const values = rows.filter((row) => row.value !== null);
  if (values.length === 0) return null;
  const y = { field: "group", type: "nominal", title: null, sort: order };
  return {
    name,
    title,
    spec: withConfig({
      width: 420,
      data: { values },
      layer: [
        {
          mark: { type: "rule", strokeWidth: 2 },
          encoding: {
            y,
            x: { field: "low", type: "quantitative", title: axisTitle, axis: { format: ".2%" } },
            x2: { field: "high" },
          },
        },
        {
          mark: { type: "point", filled: true, size: 70 },
          encoding: {
            y,
            x: { field: "value", type: "quantitative" },
            tooltip: [{ field: "group" }, { field: "value", format: ".3%" }],
          },
        },
      ],
    }),
  };
}

/** Each run as a point, one row per setting in table order: what every spread summarises. */
function runsChart(groups: readonly GroupResult[], labels: Map<string, string>): ChartSpec | null {
  const values = groups.flatMap((group) =>
    (group.accuracy?.perRun ?? []).map((accuracy, i) => ({
      group: labels.get(group.label)!,
      run: group.runs[i]?.replicate ?? String(i),
      accuracy,
    })),
  );
  if (values.length === 0) return null;
  const order = groups.map((group) => labels.get(group.label)!);
  return {
    name: "runs",
    title: "Every run: top-1 test accuracy, one point per run",
    spec: withConfig({
      width: 420,
      data: { values },
      mark: { type: "point", filled: true, size: 60, opacity: 0.7 },
      encoding: {
        y: { field: "group", type: "nominal", title: null, sort: order },
        x: {
          field: "accuracy",
          type: "quantitative",
          title: "top-1 test accuracy",
          scale: { zero: false },
          axis: { format: ".2%" },
        },
        color: { field: "group", type: "nominal", scale: { domain: order }, legend: null },
        tooltip: [{ field: "group" }, { field: "run" }, { field: "accuracy", format: ".3%" }],
      },
    }),
  };
}

function perClassChart(
  groups: readonly GroupResult[],
  labels: Map<string, string>,
): ChartSpec | null {
  const values = groups.flatMap((group) =>
    (group.perClass?.names ?? []).map((name, k) => ({
      group: labels.get(group.label)!,
      class: name,
      std: orNull(group.perClass!.stdSample[k]!.value),
    })),
  );
  const top1 = groups
    .filter((group) => group.perClass && group.accuracy)
    .map((group) => ({
      group: labels.get(group.label)!,
      std: orNull(group.accuracy!.stdSample.value),
    }));
  if (values.length === 0) return null;
  const order = groups.filter((group) => group.perClass).map((group) => labels.get(group.label)!);
  const color = { field: "group", type: "nominal", title: "setting", scale: { domain: order } };
  return {
    name: "per-class-spread",
    title: "Per-class accuracy std over runs (dashed: std of top-1 accuracy)",
    spec: withConfig({
      width: { step: 14 },
      height: 260,
      layer: [
        {
          data: { values },
          mark: "bar",
          encoding: {
            x: { field: "class", type: "nominal", sort: null, title: "class / attribute" },
            xOffset: { field: "group", sort: order },
            y: { field: "std", type: "quantitative", title: "sample std", axis: { format: ".1%" } },
            color,
          },
        },
        {
          data: { values: top1 },
          mark: { type: "rule", strokeDash: [6, 3], strokeWidth: 2 },
          encoding: { y: { field: "std", type: "quantitative" }, color },
        },
      ],
    }),
  };
}

function instabilityChart(
  groups: readonly GroupResult[],
  labels: Map<string, string>,
): ChartSpec | null {
  const values = groups.flatMap((group) =>
    group.instability.histogram.map((bin) => ({
      group: labels.get(group.label)!,
      runs: `${bin.disagreeingRuns} of ${group.runs.length}`,
      order: bin.disagreeingRuns,
      fraction: orNull(bin.fraction),
    })),
  );
  if (values.length === 0) return null;
  const order = groups.map((group) => labels.get(group.label)!);
  return {
    name: "instability-histogram",
    title: "Per-example instability: runs that disagree with the majority",
    spec: withConfig({
      width: 420,
      height: 240,
      data: { values },
      mark: "bar",
      encoding: {
        x: {
          field: "runs",
          type: "ordinal",
          sort: { field: "order" },
          title: "runs off the majority",
        },
        xOffset: { field: "group", sort: order },
        y: {
          field: "fraction",
          type: "quantitative",
          // symlog is linear below 0.1 % and logarithmic above: it can show a 0, which log cannot.
          title: "fraction of examples (symmetric log: linear below 0.1%)",
          scale: { type: "symlog", constant: 0.001 },
          axis: { format: ".1%", values: [0, 0.001, 0.01, 0.1, 1] },
        },
        color: { field: "group", type: "nominal", title: "setting", scale: { domain: order } },
      },
    }),
  };
}

function subgroupChart(
  groups: readonly GroupResult[],
  labels: Map<string, string>,
): ChartSpec | null {
  const values = groups.flatMap((group) =>
    (group.subgroups ?? []).flatMap((subgroup) => {
      const average = (pick: (rates: (typeof subgroup.rates)[number]) => number) => {
        const finite = subgroup.rates.map(pick).filter(Number.isFinite);
        return finite.length === 0 ? null : finite.reduce((a, b) => a + b, 0) / finite.length;
      };
      return [
        {
          group: labels.get(group.label)!,
          subgroup: subgroup.subgroup,
          rate: "FPR",
          std: average((r) => r.fprStd.value),
        },
        {
          group: labels.get(group.label)!,
          subgroup: subgroup.subgroup,
          rate: "FNR",
          std: average((r) => r.fnrStd.value),
        },
      ];
    }),
  );
  if (values.length === 0) return null;
  return {
    name: "subgroup-error-spread",
    title: "Std over runs of FPR and FNR, mean over attributes, per subgroup",
    spec: withConfig({
      data: { values },
      mark: "bar",
      encoding: {
        x: { field: "subgroup", type: "nominal", sort: null },
        xOffset: { field: "rate" },
        y: { field: "std", type: "quantitative", title: "sample std", axis: { format: ".2%" } },
        color: { field: "rate", type: "nominal" },
        column: { field: "group", type: "nominal", title: null },
      },
    }),
  };
}

function overheadChart(result: AnalysisResult): ChartSpec | null {
  if (!result.overhead || result.overhead.length === 0) return null;
  const values = result.overhead.map((row) => ({
    model: row.model,
    setup: `${row.device}, ${row.threads} thread${row.threads === 1 ? "" : "s"}`,
    overhead: row.overhead,
  }));
  return {
    name: "determinism-overhead",
    title: "Cost of deterministic kernels: deterministic time / default time",
    spec: withConfig({
      width: 420,
      data: { values },
      layer: [
        {
          mark: "bar",
          encoding: {
            y: { field: "model", type: "nominal", title: null },
            yOffset: { field: "setup" },
            x: { field: "overhead", type: "quantitative", title: "overhead (×)" },
            color: { field: "setup", type: "nominal" },
          },
        },
        { mark: { type: "rule", strokeDash: [4, 3] }, encoding: { x: { datum: 1 } } },
      ],
    }),
  };
}

/** Every chart the data supports; a chart with nothing to show is left out. */
export function buildCharts(result: AnalysisResult): ChartSpec[] {
  const { groups } = result;
  const labels = shortLabels(groups);
  const order = groups.map((group) => labels.get(group.label)!);
  const level = levelText(result.settings.level);
  const charts = [
    runsChart(groups, labels),
    intervalChart(
      "accuracy-spread",
      `Std of top-1 accuracy over runs (sample std, ${level} χ² interval; identical runs: exactly 0)`,
      "std of top-1 accuracy",
      groups.map((group) => ({
        group: labels.get(group.label)!,
        value: orNull(group.accuracy?.stdSample.value),
        low: orNull(group.accuracy?.stdSample.low ?? group.accuracy?.stdSample.value),
        high: orNull(group.accuracy?.stdSample.high ?? group.accuracy?.stdSample.value),
      })),
      order,
    ),
    intervalChart(
      "churn",
      `Churn: mean pairwise fraction of examples predicted differently (${level} jackknife interval)`,
      "churn",
      groups.map((group) => ({
        group: labels.get(group.label)!,
        value: orNull(group.churn.value),
        low: orNull(group.churn.low ?? group.churn.value),
        high: orNull(group.churn.high ?? group.churn.value),
      })),
      order,
    ),
    perClassChart(groups, labels),
    instabilityChart(groups, labels),
    subgroupChart(groups, labels),
    overheadChart(result),
  ];
  return charts.filter((chart): chart is ChartSpec => chart !== null);
}

import type { Estimate } from "../statistics/estimate.js";
import type { AnalysisResult } from "./result-types.js";

const percent = (value: number | null | undefined, digits = 2) =>
  value === null || value === undefined || !Number.isFinite(value)
    ? "–"
    : `${(value * 100).toFixed(digits)}%`;

export function formatEstimate(estimate: Estimate | null | undefined, digits = 2): string {
  if (!estimate) return "–";
  if (estimate.value === 0 && estimate.low === null) return "0 (exact)";
  const interval =
    estimate.low === null || estimate.high === null
      ? ""
      : ` [${percent(estimate.low, digits)}, ${percent(estimate.high, digits)}]`;
  return `${percent(estimate.value, digits)}${interval}${estimate.bounded ? BOUNDED_MARK : ""}`;
}

/** Marks an interval the range [0, 1] shaped; the table's last line says so. */
const BOUNDED_MARK = "‡";
const BOUNDED_LEGEND = `${BOUNDED_MARK} interval bounded by 0% or 100% (made on the logit scale, so it stays inside)`;

/** A compact plain-text table of the headline metrics, one line per group. */
export function summaryTable(result: AnalysisResult): string {
  const header = [
    "group",
    "runs",
    "epoch",
    "acc mean",
    "acc std (sample) [CI]",
    "churn [CI]",
    "identical",
  ];
  const rows = result.groups.map((group) => [
    group.label,
    String(group.runs.length),
    String(group.epoch),
    percent(group.accuracy?.mean.value),
    formatEstimate(group.accuracy?.stdSample),
    formatEstimate(group.churn),
    group.identity.identical === null ? "?" : group.identity.identical ? "yes" : "no",
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join("  ")
      .trimEnd();
  const legend = rows.some((row) => row.some((cell) => cell.endsWith(BOUNDED_MARK)))
    ? [BOUNDED_LEGEND]
    : [];
  return [
    line(header),
    line(widths.map((width) => "-".repeat(width))),
    ...rows.map(line),
    ...legend,
  ].join("\n");
}

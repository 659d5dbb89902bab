import type { Estimate } from "./estimate.js";
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
  return `${percent(estimate.value, digits)}${interval}`;
}

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
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join(
    "\n",
  );
}

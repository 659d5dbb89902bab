/** The audit's outputs: audit.csv (one row per op and thread count) and a terminal table. */
import { formatCsv } from "../../io/csv.js";
import type { AuditRow, AuditSettings } from "./run.js";
import type { BitComparison } from "./ulp.js";

export const AUDIT_COLUMNS = [
  "op",
  "shapes",
  "device",
  "threads",
  "repeats",
  "deterministic",
  "identical",
  "differing",
  "max_abs_diff",
  "max_ulp_diff",
  "baseline_threads",
  "vs_baseline_identical",
  "vs_baseline_differing",
  "vs_baseline_max_abs_diff",
  "vs_baseline_max_ulp_diff",
  "hardware",
  "libtorch",
] as const;

export function auditCsv(
  rows: readonly AuditRow[],
  settings: AuditSettings,
  machine: { hardware: string; libtorch: string },
): string {
  return formatCsv(
    AUDIT_COLUMNS,
    rows.map((row) => ({
      op: row.op,
      shapes: row.shapes,
      device: settings.device,
      threads: row.threads,
      repeats: row.repeats,
      deterministic: settings.deterministic,
      identical: row.repeat.identical,
      differing: row.repeat.differing,
      max_abs_diff: row.repeat.maxAbsDiff,
      max_ulp_diff: row.repeat.maxUlpDiff,
      baseline_threads: row.baselineThreads,
      vs_baseline_identical: row.vsBaseline?.identical ?? "",
      vs_baseline_differing: row.vsBaseline?.differing ?? "",
      vs_baseline_max_abs_diff: row.vsBaseline?.maxAbsDiff ?? "",
      vs_baseline_max_ulp_diff: row.vsBaseline?.maxUlpDiff ?? "",
      hardware: machine.hardware,
      libtorch: machine.libtorch,
    })),
  );
}

function describe(comparison: BitComparison | null): string[] {
  if (comparison === null) return ["(baseline)", "", ""];
  if (comparison.identical) return ["same bits", "0", "0"];
  return [
    `${comparison.differing} differ`,
    comparison.maxAbsDiff.toExponential(2),
    String(comparison.maxUlpDiff),
  ];
}

/** A fixed-width table: op, threads, then repeat-to-repeat and vs-baseline comparisons. */
export function auditTable(rows: readonly AuditRow[]): string {
  const baseline = rows[0]?.baselineThreads ?? 1;
  const header = [
    "op",
    "threads",
    "run to run",
    "max |Δ|",
    "max ULP",
    `vs ${baseline} thread${baseline === 1 ? "" : "s"}`,
    "max |Δ|",
    "max ULP",
  ];
  const body = rows.map((row) => [
    row.op,
    String(row.threads),
    ...describe(row.repeat),
    ...describe(row.vsBaseline),
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...body.map((cells) => cells[i]!.length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
      .join("  ");
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

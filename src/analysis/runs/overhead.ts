import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseCsvRecords } from "../../io/csv.js";
import type { Problem } from "./types.js";

/** One row of overhead.csv, written by the determinism-overhead study. */
export interface OverheadRow {
  model: string;
  device: string;
  threads: number;
  batchSize: number;
  iterations: number;
  defaultMs: number;
  deterministicMs: number;
  /** deterministic time / default time. */
  overhead: number;
}

/** The columns the analysis reads; writers may add more after them. */
export const OVERHEAD_COLUMNS_READ = [
  "model",
  "device",
  "threads",
  "batch_size",
  "iterations",
  "default_ms",
  "deterministic_ms",
  "overhead",
];

/** Reads `overhead.csv` from the experiment folder; null when the study has not run. */
export function readOverhead(dir: string, problems: Problem[]): OverheadRow[] | null {
  const path = join(dir, "overhead.csv");
  if (!existsSync(path)) return null;
  const { columns, records } = parseCsvRecords(readFileSync(path, "utf8"));
  const missing = OVERHEAD_COLUMNS_READ.filter(
    (column) => column !== "overhead" && !columns.includes(column),
  );
  if (missing.length > 0) {
    problems.push({ path, message: `missing columns ${missing.join(", ")}`, effect: "warning" });
    return null;
  }
  const rows: OverheadRow[] = [];
  for (const [index, record] of records.entries()) {
    const defaultMs = Number(record.default_ms);
    const deterministicMs = Number(record.deterministic_ms);
    const overhead = record.overhead ? Number(record.overhead) : deterministicMs / defaultMs;
    if (![defaultMs, deterministicMs, overhead].every(Number.isFinite)) {
      const message = `row ${index + 2} has non-numeric timings; skipped`;
      problems.push({ path, message, effect: "warning" });
      continue;
    }
    rows.push({
      model: record.model ?? "",
      device: record.device ?? "",
      threads: Number(record.threads),
      batchSize: Number(record.batch_size),
      iterations: Number(record.iterations),
      defaultMs,
      deterministicMs,
      overhead,
    });
  }
  return rows;
}

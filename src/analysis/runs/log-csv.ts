import { readFileSync } from "node:fs";
import { parseCsvRecords } from "../../io/csv.js";

/**
 * The validation accuracy that log.csv recorded for a 1-based epoch (Keras numbers its
 * rows from 0). Undefined when the log has no such row or column.
 */
export function loggedValidationAccuracy(logFile: string, epoch: number): number | undefined {
  const { records } = parseCsvRecords(readFileSync(logFile, "utf8"));
  const row = records.find((record) => Number(record.epoch) === epoch - 1);
  const value = row?.val_accuracy ?? row?.val_binary_accuracy;
  const accuracy = value === undefined || value === "" ? Number.NaN : Number(value);
  return Number.isFinite(accuracy) ? accuracy : undefined;
}

import { readFileSync } from "node:fs";
import { parseCsvRecords } from "../../io/csv.js";

/**
 * The validation accuracy on log.csv's row whose `epoch` column is exactly `logEpoch` (the
 * caller converts from the folder's file numbering). Undefined when the log has no such row
 * or column.
 */
export function loggedValidationAccuracy(logFile: string, logEpoch: number): number | undefined {
  const { records } = parseCsvRecords(readFileSync(logFile, "utf8"));
  const row = records.find((record) => Number(record.epoch) === logEpoch);
  const value = row?.val_accuracy ?? row?.val_binary_accuracy;
  const accuracy = value === undefined || value === "" ? Number.NaN : Number(value);
  return Number.isFinite(accuracy) ? accuracy : undefined;
}

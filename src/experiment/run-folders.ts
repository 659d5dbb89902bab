/** Where a plan's runs live, and what their run.json says. */
import { join } from "node:path";
import { type RunStatus, readRunRecordFile } from "../contract/run-record.js";
import { RUN_JSON } from "../run-folder/files.js";

export type RunRecordStatus = RunStatus;

export function runDir(dir: string, id: string): string {
  return join(dir, "runs", id);
}

/**
 * The status in `runs/<id>/run.json`, or null when the run has not written one yet (or wrote
 * something that is not a run record: the runner then treats the run as not started).
 */
export function runRecordStatus(dir: string, id: string): RunRecordStatus | null {
  try {
    return readRunRecordFile(join(runDir(dir, id), RUN_JSON))?.status ?? null;
  } catch {
    return null;
  }
}

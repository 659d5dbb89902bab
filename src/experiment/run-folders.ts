/** Where a plan's runs live, and what their run.json says. */
import { join } from "node:path";
import { type RunStatus, readRunRecordFile } from "../contract/run-record.js";
import { RUN_JSON } from "../run-folder/files.js";

export type RunRecordStatus = RunStatus;

export function runDir(dir: string, id: string): string {
  return join(dir, "runs", id);
}

/**
 * The status in `runs/<id>/run.json`, or null when the run has not written one yet (or its
 * record cannot be read: `unreadableRecord` tells that case apart).
 */
export function runRecordStatus(dir: string, id: string): RunRecordStatus | null {
  try {
    return readRunRecordFile(join(runDir(dir, id), RUN_JSON))?.status ?? null;
  } catch {
    return null;
  }
}

/**
 * Why `runs/<id>/run.json` cannot be used, when it exists but is not a record (truncated,
 * not JSON, no status); null when it is readable or absent. run.json is written atomically,
 * so this is damage, never a write in progress.
 */
export function unreadableRecord(dir: string, id: string): string | null {
  try {
    readRunRecordFile(join(runDir(dir, id), RUN_JSON));
    return null;
  } catch (error) {
    // The reader's message names the file first; the reason is what follows it.
    return (error as Error).message.replace(/^.*?: /, "");
  }
}

/** The one line that says a run's record is unreadable and what to do about it. */
export function unreadableMessage(dir: string, id: string, reason: string): string {
  return (
    `${join(runDir(dir, id), RUN_JSON)} is unreadable (${reason}); ` +
    `'nnr experiment run --out ${dir} --retry-failed' trains the run again (the damaged file is kept as ${RUN_JSON}.unreadable)`
  );
}

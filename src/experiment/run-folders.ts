/** Where a plan's runs live, and what their run.json says. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { RUN_JSON } from "../run-folder/files.js";

export type RunRecordStatus = "running" | "complete" | "failed";

export function runDir(dir: string, id: string): string {
  return join(dir, "runs", id);
}

/** The status in `runs/<id>/run.json`, or null when the run has not written one yet. */
export function runRecordStatus(dir: string, id: string): RunRecordStatus | null {
  let text: string;
  try {
    text = readFileSync(join(runDir(dir, id), RUN_JSON), "utf8");
  } catch {
    return null;
  }
  try {
    const status = (JSON.parse(text) as { status?: unknown }).status;
    return status === "running" || status === "complete" || status === "failed" ? status : null;
  } catch {
    return null;
  }
}

/**
 * A plan's data folders: checked before any run starts (a missing folder would fail every run
 * the same way), and moved in place. A data folder is where the data lies, not what the
 * experiment is: a corrected `--data-dir` on an existing experiment folder rewrites the
 * location in its plan.json and leaves every run's identity, and every finished run, alone.
 */
import { existsSync, statSync } from "node:fs";
import { UserError } from "../errors.js";
import { writeFileAtomicSync } from "../io/atomic.js";
import { type Plan, planPath } from "./plan.js";

/** Where a dataset's data folder was named, for the error: the flag, or the plan's field. */
export type DataDirOrigin = "flag" | "plan";

/** The origin of each dataset's folder when `--data-dir` named `flagged` (keys, "*": all). */
export function originOf(flagged: Record<string, string> | undefined) {
  return (dataset: string): DataDirOrigin =>
    flagged !== undefined && (dataset in flagged || "*" in flagged) ? "flag" : "plan";
}

function isFolder(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

/** Each dataset's explicit data folders, with how many runs read each. */
function foldersOf(plan: Plan): Map<string, { dataset: string; runs: number }> {
  const folders = new Map<string, { dataset: string; runs: number }>();
  for (const { config } of plan.runs) {
    if (config.dataDir === null) continue;
    const key = `${config.dataset}\u0000${config.dataDir}`;
    const entry = folders.get(key) ?? { dataset: config.dataset, runs: 0 };
    entry.runs++;
    folders.set(key, entry);
  }
  return folders;
}

/**
 * Refuses, in one line, a plan whose data folders are missing, before anything is started or
 * written: each missing folder with the flag or plan field that named it, and what to do.
 */
export function checkDataFolders(
  plan: Plan,
  origin: (dataset: string) => DataDirOrigin,
  dir?: string,
): void {
  const missing: string[] = [];
  for (const [key, { dataset, runs }] of foldersOf(plan)) {
    const folder = key.split("\u0000")[1] ?? "";
    if (isFolder(folder)) continue;
    const named =
      origin(dataset) === "flag" ? `--data-dir ${folder}` : `dataDirs.${dataset} ${folder}`;
    missing.push(`${named}: no such folder (${dataset}, ${runs} run${runs === 1 ? "" : "s"})`);
  }
  if (missing.length === 0) return;
  const fix =
    dir === undefined
      ? "give the folder that holds the data with --data-dir DATASET=DIR (or --data-dir DIR for every dataset); nothing was started"
      : `repair this folder in place with 'nnr experiment run --out ${dir} --data-dir DIR --retry-failed'; nothing was started`;
  throw new UserError(`${missing.join("; ")}; ${fix}`);
}

/** The plan with its runs' data folders replaced: `{ "*": DIR }` for every dataset. */
export function withDataDirs(plan: Plan, dataDirs: Record<string, string>): Plan {
  const runs = plan.runs.map((entry) => {
    const dir = dataDirs[entry.config.dataset] ?? dataDirs["*"];
    return dir === undefined ? entry : { ...entry, config: { ...entry.config, dataDir: dir } };
  });
  return { ...plan, runs };
}

/** True when the two plans' runs are the same but for where their data lies. */
export function sameRunsButDataDirs(a: Plan, b: Plan): boolean {
  const located = (plan: Plan) =>
    JSON.stringify(
      plan.runs.map((entry) => ({ ...entry, config: { ...entry.config, dataDir: null } })),
    );
  return located(a) === located(b);
}

/**
 * Moves an experiment folder's data folders: checks the new ones, then rewrites plan.json
 * atomically. Returns the plan as it now stands.
 */
export function relocateDataDirs(dir: string, plan: Plan, dataDirs: Record<string, string>): Plan {
  const moved = withDataDirs(plan, dataDirs);
  checkDataFolders(moved, originOf(dataDirs));
  if (JSON.stringify(moved.runs) !== JSON.stringify(plan.runs)) {
    writeFileAtomicSync(planPath(dir), `${JSON.stringify(moved, null, 2)}\n`);
  }
  return moved;
}

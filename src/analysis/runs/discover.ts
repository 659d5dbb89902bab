import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { UserError } from "../../errors.js";
import { RUN_JSON } from "../../run-folder/files.js";
import { readNnrRunFolder } from "./nnr-layout.js";
import { isOriginalRunName, readOriginalRunFolder } from "./original-layout.js";
import type { Problem, RunFolder } from "./types.js";

/** Experiment folders nest runs a few levels deep at most; this bounds a mistaken walk. */
const MAX_DEPTH = 6;

export interface Discovery {
  runs: RunFolder[];
  problems: Problem[];
}

/**
 * Finds every run folder under `root`: ours (holding run.json) and the original's
 * (named logs_…). A folder that looks like a run but cannot be read is reported.
 */
export function discoverRuns(root: string, sharedLabelsFile?: string): Discovery {
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new UserError(`${root}: no such folder; pass the experiment folder that holds the runs`);
  }
  const runs: RunFolder[] = [];
  const problems: Problem[] = [];
  const visit = (dir: string, depth: number) => {
    const name = basename(dir);
    const isNnr = existsSync(join(dir, RUN_JSON));
    if (isNnr || isOriginalRunName(name)) {
      try {
        runs.push(isNnr ? readNnrRunFolder(dir) : readOriginalRunFolder(dir, sharedLabelsFile));
      } catch (error) {
        problems.push({ path: dir, message: (error as Error).message, effect: "excluded" });
      }
      return; // a run folder holds no further runs
    }
    if (depth >= MAX_DEPTH) return;
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : 1,
    )) {
      if (entry.isDirectory() && !entry.name.startsWith("."))
        visit(join(dir, entry.name), depth + 1);
    }
  };
  visit(root, 0);
  return { runs, problems };
}

/**
 * A rank other than 0 of a run that spread-run.ts spreads: it joins the group named by the
 * launcher's environment and trains the run given as JSON in its first argument. Rank 0 (the
 * process that started it) alone writes the run folder.
 */

import { rankEnvironment } from "../distributed/launcher-env.js";
import { joinGroup } from "../distributed/train-launch.js";
import { trainRun } from "./run.js";
import type { RankJob } from "./spread-run.js";

const job = JSON.parse(process.argv[2] ?? "{}") as RankJob;
const env = rankEnvironment();
if (env === null) {
  console.error("nnr: a rank process needs RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT");
  process.exit(2);
}
const group = joinGroup(env, { distTimeout: job.timeoutMs / 1000 });
try {
  await trainRun({
    config: job.config,
    outDir: job.outDir,
    replicate: job.replicate,
    pool: job.pool,
    resume: job.resume,
    group,
  });
} catch (error) {
  console.error(`nnr: rank ${env.rank}: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
} finally {
  group.destroy();
}

/**
 * A rank of a run spread over processes: any rank, 0 included, of a run that spread-run.ts
 * spreads over this machine or that step-run.ts starts as a Slurm job step. It joins the group
 * named by the launcher's environment and trains the run given as JSON in its first argument.
 * Rank 0 alone writes the run folder, and reports its progress and failure on stdout
 * (rank-job.ts). A job step of one process (a one-process run in a job of several tasks)
 * trains without a group.
 */

import { hostname } from "node:os";
import { rankEnvironment } from "../distributed/launcher-env.js";
import { joinGroup } from "../distributed/train-launch.js";
import { isUserError } from "../errors.js";
import { FAILURE_PREFIX, PROGRESS_PREFIX, type RankJob } from "./rank-job.js";
import { trainRun } from "./run.js";

const job = JSON.parse(process.argv[2] ?? "{}") as RankJob;
let env: ReturnType<typeof rankEnvironment>;
try {
  env = rankEnvironment();
} catch (error) {
  console.error(`nnr: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(2);
}
if (env === null && (job.config.worldSize ?? 1) > 1) {
  console.error("nnr: a rank process needs RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT");
  process.exit(2);
}
const leader = (env?.rank ?? 0) === 0;
const reports = job.reportOnStdout === true && leader;
if (env?.source === "slurm") {
  // Into the task's log: which rank Slurm made this process, and where the ranks meet.
  console.log(
    `rank ${env.rank} of ${env.worldSize} (SLURM_PROCID ${env.rank}, SLURM_LOCALID ${env.localRank}) on ${hostname()}, rendezvous ${env.masterAddr}:${env.masterPort}`,
  );
}
let group: ReturnType<typeof joinGroup> | null = null;
try {
  group = env === null ? null : joinGroup(env, { distTimeout: job.timeoutMs / 1000 });
  await trainRun({
    config: job.config,
    outDir: job.outDir,
    replicate: job.replicate,
    pool: job.pool,
    resume: job.resume,
    group,
    onProgress: reports
      ? (progress) => process.stdout.write(`${PROGRESS_PREFIX}${JSON.stringify(progress)}\n`)
      : undefined,
    log: leader ? (line) => console.log(line) : undefined,
  });
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  if (reports) {
    const failure = { message, userError: isUserError(error) };
    process.stdout.write(`${FAILURE_PREFIX}${JSON.stringify(failure)}\n`);
  } else console.error(`nnr: rank ${env?.rank ?? 0}: ${message}`);
  process.exitCode = 1;
} finally {
  group?.destroy();
}

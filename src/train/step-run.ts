/**
 * A run started as a Slurm job step: `srun` starts its N ranks (rank-process.ts) on the CPUs
 * of the allocation Slurm chooses, each rank reads its place from SLURM_PROCID/SLURM_NTASKS,
 * and rank 0 writes the run folder as in any other run. This process (the runner's worker)
 * only waits, through the launcher (distributed/launcher.ts): it forwards rank 0's progress,
 * and hands a SIGTERM on to the step, so a stopped runner stops the ranks too.
 */
import { describeExit, launchProcesses } from "../distributed/launcher.js";
import {
  firstHost,
  masterPortForJob,
  type StepAllocation,
  srunArgs,
} from "../distributed/slurm-steps.js";
import { UserError } from "../errors.js";
import { completedRun, rankCommand, rankJobOf, rankReports } from "./rank-job.js";
import type { TrainRunOptions, TrainRunResult } from "./run.js";

/** How long the ranks have to stop after SIGTERM before srun is killed. */
const STOP_GRACE_MS = 4_000;

export async function trainRunAsSteps(
  options: TrainRunOptions,
  allocation: StepAllocation,
): Promise<TrainRunResult> {
  const ranks = options.config.worldSize ?? 1;
  const threads = options.config.threads;
  if (ranks > allocation.tasks || threads > allocation.cpusPerTask) {
    throw new UserError(
      `a run of ${ranks} process(es) × ${threads} thread(s) does not fit job ${allocation.jobId} (${allocation.tasks} task(s) × ${allocation.cpusPerTask} CPU(s)); submit it again so the job is sized for it`,
    );
  }
  const masterAddr = firstHost(allocation.nodeList);
  const masterPort = masterPortForJob(allocation.jobId);
  const log = options.log ?? (() => {});
  log(
    `job step in job ${allocation.jobId}: srun ${ranks} rank(s) × ${threads} thread(s)` +
      (ranks > 1 ? `, rendezvous ${masterAddr}:${masterPort}` : ""),
  );
  const rank = rankCommand(rankJobOf(options));
  const reports = rankReports(options);
  const errors: string[] = [];
  const failure = await launchProcesses(
    [
      {
        rank: 0,
        command: "srun",
        args: [...srunArgs(ranks, threads, `run-${options.replicate}`), rank.command, ...rank.args],
        env: { MASTER_ADDR: masterAddr, MASTER_PORT: String(masterPort) },
      },
    ],
    {
      output: {
        stdout: (line) => reports.line(line),
        stderr: (line) => {
          errors.push(line);
          log(line);
        },
      },
      forward: ["SIGTERM"],
      reraise: true,
      dieWithLauncher: true,
      graceMs: STOP_GRACE_MS,
    },
  );
  if (failure?.error !== undefined) {
    throw new UserError(
      failure.error.code === "ENOENT"
        ? "srun is not on PATH inside the job; load the cluster's slurm module in the environment you submit from"
        : `srun: ${failure.error.message}`,
    );
  }
  const reported = reports.failure();
  if (reported !== null) log(`nnr: rank 0: ${reported.message}`);
  const result = completedRun(options.outDir);
  if (failure === null && result !== null) return result;
  const why = reported
    ? `nnr: rank 0: ${reported.message}`
    : (errors.filter((line) => line.startsWith("nnr:")).at(-1) ?? errors.at(-1));
  throw new Error(
    `the run's job step ${failure === null ? "ended without completing the run" : failure.signal !== null ? describeExit(failure) : `ended with exit code ${failure.code}`}${why ? `: ${why}` : ""} (srun ${ranks} rank(s) on ${allocation.nodeList})`,
  );
}

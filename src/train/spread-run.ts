/**
 * A run with config.worldSize > 1 started through the library rather than a launcher (the
 * experiment runner's workers): this process launches its N ranks on this machine
 * (rank-process.ts, rendezvous on the loopback at a free port) and waits, passing a SIGTERM on
 * to every rank. Rank 0 reports its progress and failure on stdout (rank-job.ts) and writes the
 * run folder, from which the result is read. A run of one process goes straight to trainRun.
 * Inside a Slurm array task that holds several Slurm tasks, every run is started as a job step
 * instead (step-run.ts).
 */
import { describeExit, launchLocalRanks } from "../distributed/launcher.js";
import { stepAllocation } from "../distributed/slurm-steps.js";
import { completedRun, rankCommand, rankError, rankJobOf, rankReports } from "./rank-job.js";
import { type TrainRunOptions, type TrainRunResult, trainRun } from "./run.js";
import { trainRunAsSteps } from "./step-run.js";

export async function trainRunSpread(options: TrainRunOptions): Promise<TrainRunResult> {
  if (options.group) return trainRun(options);
  const allocation = stepAllocation();
  if (allocation !== null) return trainRunAsSteps(options, allocation);
  const worldSize = options.config.worldSize ?? 1;
  if (worldSize === 1) return trainRun(options);
  return trainRunAsLocalRanks(options, worldSize);
}

async function trainRunAsLocalRanks(
  options: TrainRunOptions,
  worldSize: number,
): Promise<TrainRunResult> {
  const log = options.log ?? (() => {});
  const reports = rankReports(options);
  const failure = await launchLocalRanks({
    nproc: worldSize,
    ...rankCommand(rankJobOf(options)),
    output: {
      stdout: (line, rank) => (rank === 0 ? reports.line(line) : log(line)),
      stderr: (line) => log(line),
    },
    // The runner stops a worker with SIGTERM and treats a worker ended by it as stopped; the
    // ranks hear Ctrl-C only through the runner, as the worker does.
    forward: ["SIGTERM"],
    reraise: true,
    isolate: true,
    // A worker killed outright takes its ranks with it, as when rank 0 trained in the worker.
    dieWithLauncher: true,
    log,
  });
  const reported = reports.failure();
  if (reported !== null) throw rankError(reported);
  const result = completedRun(options.outDir);
  if (failure !== null || result === null) {
    throw new Error(
      failure === null
        ? `the ranks of the run exited without completing it (${options.outDir}/run.json)`
        : `rank ${failure.rank} of ${worldSize} ${describeExit(failure)}`,
    );
  }
  return result;
}

/**
 * An experiment on Slurm: submits an array job for the runs left (unless a job of this folder
 * already holds them all) and, unless told not to wait, follows it to its end.
 */
import type { ExperimentEnding, ExperimentOutput, ExperimentRunOptions } from "../executor.js";
import { threadsRange } from "../executor.js";
import { experimentStatus } from "../status.js";
import { shellQuote } from "./batch-script.js";
import { followJob } from "./follow.js";
import { jobActive, jobState, readJobs } from "./jobs.js";
import { prepareSubmission, type SlurmSubmitOptions, submitPrepared } from "./submit.js";
import { cancelSurplusTasks, surplusLines } from "./surplus.js";

export interface SlurmRunOptions
  extends ExperimentRunOptions,
    Omit<SlurmSubmitOptions, "taskFlags"> {
  /** Seconds between two looks at the job while following it. */
  pollSeconds: number;
}

/** Submits the experiment and, unless wait is false, follows it; returns how it ended. */
export async function runOnSlurm(
  options: SlurmRunOptions,
  output: ExperimentOutput,
): Promise<ExperimentEnding> {
  const { dir, plan } = options;
  const before = experimentStatus(dir, options.staleAfterMs);
  output.say(
    `experiment ${dir}: plan '${plan.name}', ${plan.runs.length} runs (${before.counts.done} done); ` +
      `on Slurm, ${threadsRange(plan)} per run`,
  );
  const unfinished = before.counts.pending + (options.retryFailed ? before.counts.failed : 0);
  const active = readJobs(dir).filter((job) => jobActive(jobState(job.jobId)));
  if (unfinished === 0) {
    if (before.counts.done === plan.runs.length) {
      for (const line of surplusLines(cancelSurplusTasks(active))) output.say(line);
      return "nothing-to-do";
    }
    const holder = active.at(-1);
    if (before.counts.running > 0 && holder !== undefined && options.wait !== false) {
      output.say(
        `nothing to submit: following slurm job ${holder.jobId}, which holds the runs left`,
      );
      return follow(options, holder.jobId, output);
    }
    output.say(
      `nothing to submit: ${plural(before.counts.running, "run")} running elsewhere, ${before.counts.failed} failed (--retry-failed runs them again)`,
    );
    return "incomplete";
  }
  if (active.length > 0) {
    output.say(
      `slurm job${active.length > 1 ? "s" : ""} ${active.map((job) => job.jobId).join(", ")} of this folder ${active.length > 1 ? "are" : "is"} still queued or running; its tasks and the new ones share the runs`,
    );
  }
  return submitAndFollow(options, unfinished, output);
}

/** The flags each array task's `nnr experiment slurm-task` is given. */
function taskFlags(options: SlurmRunOptions): string[] {
  const { trainer } = options;
  return [
    "--stale-after",
    String(options.staleAfterMs / 1000),
    ...(options.retryFailed ? ["--retry-failed"] : []),
    ...(trainer ? ["--trainer", `${trainer.module}#${trainer.exportName}`] : []),
  ];
}

async function submitAndFollow(
  options: SlurmRunOptions,
  unfinished: number,
  output: ExperimentOutput,
): Promise<ExperimentEnding> {
  const { dir, plan } = options;
  const prepared = prepareSubmission(dir, plan, unfinished, {
    partition: options.partition,
    time: options.time,
    cpusPerTask: options.cpusPerTask,
    gres: options.gres,
    arrayThrottle: options.arrayThrottle,
    tasks: options.tasks,
    sbatchArgs: options.sbatchArgs,
    requeue: options.requeue,
    assumeSharedFs: options.assumeSharedFs,
    taskFlags: taskFlags(options),
  });
  if (options.dryRun) {
    output.say(
      `wrote ${prepared.script} (${plural(prepared.tasks, "task")}); submit it with: sbatch ${prepared.sbatchArgs.map(shellQuote).join(" ")}`,
    );
    return "submitted";
  }
  const submission = submitPrepared(prepared);
  const { job } = submission;
  output.say(
    `submitted slurm job ${job.jobId}: ${plural(submission.tasks, "task")} × ${submission.workersPerTask} worker${submission.workersPerTask === 1 ? "" : "s"}, ` +
      `${submission.ntasks > 1 ? `${submission.ntasks} Slurm tasks (srun starts each run's ranks) × ` : ""}` +
      `${submission.cpusPerTask} CPU${submission.cpusPerTask === 1 ? "" : "s"} each, partition ${job.partition}; ${plural(unfinished, "run")} to train; logs ${job.logs}`,
  );
  if (options.wait === false) {
    output.say(`follow it with: nnr experiment status ${dir}`);
    return "submitted";
  }
  return follow(options, job.jobId, output);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** Follows a job to its end; what the user is told when it ends without every run done. */
async function follow(
  options: SlurmRunOptions,
  jobId: string,
  output: ExperimentOutput,
): Promise<ExperimentEnding> {
  const { dir, plan } = options;
  const interrupt = output.interrupt();
  const followed = await followJob({
    dir,
    jobId,
    pollMs: options.pollSeconds * 1000,
    staleAfterMs: options.staleAfterMs,
    tty: output.tty,
    signal: interrupt.signal,
  }).finally(() => interrupt.dispose());
  if (followed.ending === "interrupted") {
    output.say(
      `stopped following; job ${jobId} goes on (nnr experiment status ${dir}; scancel ${jobId} cancels it)`,
    );
    return "interrupted";
  }
  if (followed.ending === "job-ended") {
    const { counts } = followed.status;
    output.warn(
      `job ${jobId} ended with ${plan.runs.length - counts.done} of ${plan.runs.length} runs not complete (${counts.failed} failed); ` +
        `'nnr experiment status ${dir}' shows why; submit again to resume: nnr experiment run --out ${dir} --executor slurm`,
    );
    return "incomplete";
  }
  // Every run is done: no task of this folder's jobs has anything left to claim.
  for (const line of surplusLines(cancelSurplusTasks(readJobs(dir)))) output.say(line);
  return "complete";
}

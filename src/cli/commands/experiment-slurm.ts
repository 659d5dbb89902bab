/**
 * `nnr experiment run --executor slurm`: its flags, the submission and the following of the
 * job; and `nnr experiment slurm-task`, the command each array task runs (not for users).
 */
import { type Command, Option } from "commander";
import pc from "picocolors";
import { UserError } from "../../errors.js";
import type { Plan } from "../../experiment/plan.js";
import { shellQuote } from "../../experiment/slurm/batch-script.js";
import { followJob } from "../../experiment/slurm/follow.js";
import { jobActive, jobState, readJobs } from "../../experiment/slurm/jobs.js";
import { prepareSubmission, submitPrepared } from "../../experiment/slurm/submit.js";
import { runSlurmTask } from "../../experiment/slurm/task.js";
import { experimentStatus } from "../../experiment/status.js";
import type { TrainerRef } from "../../experiment/worker-protocol.js";
import { integerAtLeast, positiveNumber } from "../flags/parse.js";

export interface SlurmFlags {
  executor: "local" | "slurm";
  partition?: string;
  time?: string;
  cpusPerTask?: number;
  gres?: string;
  arrayThrottle?: number;
  tasks?: number;
  sbatchArg?: string[];
  requeue?: boolean;
  assumeSharedFs?: boolean;
  poll: number;
}

/** Flags that only mean something with --executor slurm, as the user spells them. */
const SLURM_ONLY: [keyof SlurmFlags, string][] = [
  ["partition", "--partition"],
  ["time", "--time"],
  ["cpusPerTask", "--cpus-per-task"],
  ["gres", "--gres"],
  ["arrayThrottle", "--array-throttle"],
  ["tasks", "--tasks"],
  ["sbatchArg", "--sbatch-arg"],
  ["requeue", "--requeue"],
  ["assumeSharedFs", "--assume-shared-fs"],
];

function executor(text: string): "local" | "slurm" {
  if (text !== "local" && text !== "slurm") {
    throw new UserError(`--executor ${text}: expected local or slurm`);
  }
  return text;
}

/** Slurm's time formats: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS. */
function timeLimit(text: string): string {
  if (!/^(\d+-)?\d+(:\d+){0,2}$/.test(text) && text !== "UNLIMITED") {
    throw new UserError(
      `--time ${text}: expected a Slurm time limit: minutes, HH:MM:SS or D-HH:MM:SS`,
    );
  }
  return text;
}

export function addSlurmOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--executor <where>", "local (this machine) or slurm (an array job)")
        .argParser(executor)
        .default("local"),
    )
    .option("--partition <name>", "slurm: partition (default: the cluster's default)")
    .option("--time <limit>", "slurm: time limit per task, e.g. 4:00:00", timeLimit)
    .option(
      "--cpus-per-task <n>",
      "slurm: CPUs per array task (default: the widest run's threads)",
      integerAtLeast("--cpus-per-task", 1),
    )
    .option("--gres <spec>", "slurm: generic resources per task, e.g. gpu:1")
    .option(
      "--array-throttle <n>",
      "slurm: at most n tasks at once (%n)",
      integerAtLeast("--array-throttle", 1),
    )
    .option(
      "--tasks <n>",
      "slurm: array size (default: one worker slot per unfinished run)",
      integerAtLeast("--tasks", 1),
    )
    .option(
      "--sbatch-arg <arg>",
      "slurm: extra sbatch argument, e.g. --sbatch-arg=--account=lab (repeatable)",
      (text: string, previous: string[] = []) => [...previous, text],
    )
    .option("--requeue", "slurm: let Slurm requeue tasks after preemption or a node failure")
    .option("--assume-shared-fs", "slurm: trust that every node sees the experiment folder")
    .option(
      "--poll <seconds>",
      "slurm: how often to ask Slurm while following the job",
      positiveNumber("--poll"),
      10,
    );
}

export function checkSlurmFlags(flags: SlurmFlags & { workers?: number; gpus?: string[] }): void {
  if (flags.executor === "slurm") {
    if (flags.workers !== undefined) {
      throw new UserError(
        "--workers: with --executor slurm each task runs as many runs as its --cpus-per-task hold",
      );
    }
    if (flags.gpus !== undefined) {
      throw new UserError(
        "--gpus: with --executor slurm ask for GPUs with --gres gpu:N; each task trains on the ones Slurm gives it",
      );
    }
    return;
  }
  for (const [key, flag] of SLURM_ONLY) {
    if (flags[key] !== undefined) throw new UserError(`${flag} needs --executor slurm`);
  }
}

export interface SlurmRunContext {
  dir: string;
  plan: Plan;
  flags: SlurmFlags & {
    wait?: boolean;
    retryFailed?: boolean;
    dryRun?: boolean;
    staleAfter: number;
    trainer?: TrainerRef;
  };
}

export type SlurmRunEnding =
  | "complete"
  | "nothing-to-do"
  | "submitted"
  | "incomplete"
  | "interrupted";

/** Submits the experiment and, unless --no-wait, follows it; returns how it ended. */
export async function runOnSlurm({ dir, plan, flags }: SlurmRunContext): Promise<SlurmRunEnding> {
  const staleAfterMs = flags.staleAfter * 1000;
  const before = experimentStatus(dir, staleAfterMs);
  const unfinished = before.counts.pending + (flags.retryFailed ? before.counts.failed : 0);
  const active = readJobs(dir).filter((job) => jobActive(jobState(job.jobId)));
  if (unfinished === 0) {
    if (before.counts.done === plan.runs.length) return "nothing-to-do";
    const holder = active.at(-1);
    if (before.counts.running > 0 && holder !== undefined && flags.wait !== false) {
      console.log(
        `nothing to submit: following slurm job ${holder.jobId}, which holds the runs left`,
      );
      return follow(dir, plan, holder.jobId, flags);
    }
    console.log(
      `nothing to submit: ${plural(before.counts.running, "run")} running elsewhere, ${before.counts.failed} failed (--retry-failed runs them again)`,
    );
    return "incomplete";
  }
  if (active.length > 0) {
    console.log(
      `slurm job${active.length > 1 ? "s" : ""} ${active.map((job) => job.jobId).join(", ")} of this folder ${active.length > 1 ? "are" : "is"} still queued or running; its tasks and the new ones share the runs`,
    );
  }
  const taskFlags = [
    "--stale-after",
    String(flags.staleAfter),
    ...(flags.retryFailed ? ["--retry-failed"] : []),
    ...(flags.trainer ? ["--trainer", `${flags.trainer.module}#${flags.trainer.exportName}`] : []),
  ];
  const prepared = prepareSubmission(dir, plan, unfinished, {
    partition: flags.partition,
    time: flags.time,
    cpusPerTask: flags.cpusPerTask,
    gres: flags.gres,
    arrayThrottle: flags.arrayThrottle,
    tasks: flags.tasks,
    sbatchArgs: flags.sbatchArg,
    requeue: flags.requeue,
    assumeSharedFs: flags.assumeSharedFs,
    taskFlags,
  });
  if (flags.dryRun) {
    console.log(
      `wrote ${prepared.script} (${plural(prepared.tasks, "task")}); submit it with: sbatch ${prepared.sbatchArgs.map(shellQuote).join(" ")}`,
    );
    return "submitted";
  }
  const submission = submitPrepared(prepared);
  const { job } = submission;
  console.log(
    `submitted slurm job ${job.jobId}: ${plural(submission.tasks, "task")} × ${submission.workersPerTask} worker${submission.workersPerTask === 1 ? "" : "s"}, ` +
      `${submission.ntasks > 1 ? `${submission.ntasks} Slurm tasks (srun starts each run's ranks) × ` : ""}` +
      `${submission.cpusPerTask} CPU${submission.cpusPerTask === 1 ? "" : "s"} each, partition ${job.partition}; ${plural(unfinished, "run")} to train; logs ${job.logs}`,
  );
  if (flags.wait === false) {
    console.log(`follow it with: nnr experiment status ${dir}`);
    return "submitted";
  }
  return follow(dir, plan, job.jobId, flags);
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** Follows a job to its end; what the user is told when it ends without every run done. */
async function follow(
  dir: string,
  plan: Plan,
  jobId: string,
  flags: SlurmRunContext["flags"],
): Promise<SlurmRunEnding> {
  const staleAfterMs = flags.staleAfter * 1000;
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const followed = await followJob({
    dir,
    jobId,
    pollMs: flags.poll * 1000,
    staleAfterMs,
    tty: process.stdout.isTTY === true,
    signal: controller.signal,
  }).finally(() => {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  });
  if (followed.ending === "interrupted") {
    console.log(
      `stopped following; job ${jobId} goes on (nnr experiment status ${dir}; scancel ${jobId} cancels it)`,
    );
    return "interrupted";
  }
  if (followed.ending === "job-ended") {
    const { counts } = followed.status;
    console.error(
      pc.red(
        `job ${jobId} ended with ${plan.runs.length - counts.done} of ${plan.runs.length} runs not complete (${counts.failed} failed); ` +
          `'nnr experiment status ${dir}' shows why; submit again to resume: nnr experiment run --out ${dir} --executor slurm`,
      ),
    );
    return "incomplete";
  }
  return "complete";
}

export function registerSlurmTask(experiment: Command): void {
  experiment
    .command("slurm-task", { hidden: true })
    .description("one array task of an experiment's Slurm job: claim and train runs")
    .argument("<dir>", "experiment folder")
    .option("--stale-after <seconds>", "", integerAtLeast("--stale-after", 5), 120)
    .option("--retry-failed")
    .addOption(
      new Option("--trainer <module#export>").argParser((text: string): TrainerRef => {
        const [module, exportName = "trainRun"] = text.split("#");
        return { module: module!, exportName };
      }),
    )
    .action(
      async (
        dir: string,
        flags: { staleAfter: number; retryFailed?: boolean; trainer?: TrainerRef },
      ) => {
        const summary = await runSlurmTask({
          dir,
          staleAfterMs: flags.staleAfter * 1000,
          retryFailed: flags.retryFailed ?? false,
          trainer: flags.trainer,
        });
        // 143 (128 + SIGTERM) for a task stopped by a signal: its runs wait to be resumed.
        process.exitCode = summary.interrupted ? 143 : summary.failed.length > 0 ? 1 : 0;
      },
    );
}

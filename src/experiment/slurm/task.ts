/**
 * One array task of an experiment's Slurm job: a runner that claims runs from the folder
 * until none is left to claim, on the CPUs and GPUs Slurm gave the task, and leaves (it does
 * not wait for runs other tasks hold: they have their own allocations). SIGTERM (scancel, the
 * time limit's early signal, preemption) stops its workers between two steps and releases
 * their claims; the next task or submission resumes those runs from their last epoch.
 */
import { availableParallelism } from "node:os";
import { RUN_AS_JOB_STEPS } from "../../distributed/slurm-steps.js";
import { readPlan } from "../plan.js";
import { type RunnerEvent, type RunnerSummary, runPlan } from "../runner.js";
import type { TrainerRef } from "../worker-protocol.js";
import { workersPerTask } from "./submit.js";

export interface SlurmTaskOptions {
  dir: string;
  staleAfterMs: number;
  retryFailed: boolean;
  trainer?: TrainerRef;
  env?: NodeJS.ProcessEnv;
  log?: (line: string) => void;
}

/**
 * What Slurm gave this task: CPUs per Slurm task, Slurm tasks (the job's --ntasks, several
 * for runs over several processes), and GPUs when it set CUDA_VISIBLE_DEVICES.
 */
export function taskResources(env: NodeJS.ProcessEnv): {
  cpus: number;
  ntasks: number;
  gpus: string[];
} {
  const ntasks = Number(env.SLURM_NTASKS ?? 1);
  const cpus = Number(env.SLURM_CPUS_PER_TASK ?? env.SLURM_CPUS_ON_NODE ?? Number.NaN);
  const visible = (env.CUDA_VISIBLE_DEVICES ?? "").trim();
  // Slurm writes NoDevFiles when a gres has no device files; that is no GPU to pin.
  const gpus =
    visible === "" || visible === "NoDevFiles"
      ? []
      : visible.split(",").map((device) => device.trim());
  return {
    cpus: Number.isInteger(cpus) && cpus > 0 ? cpus : availableParallelism(),
    ntasks: Number.isInteger(ntasks) && ntasks > 0 ? ntasks : 1,
    gpus,
  };
}

function describe(event: RunnerEvent): string | null {
  switch (event.type) {
    case "started":
      return `started ${event.id}${event.resumed ? " (resuming)" : ""}${event.attempt > 1 ? `, attempt ${event.attempt}` : ""}`;
    case "completed":
      return `completed ${event.id} in ${event.seconds.toFixed(1)} s`;
    case "failed":
      return `failed ${event.id}: ${event.message}`;
    case "worker-died":
      return `worker of ${event.id} ${event.reason}${event.retrying ? "; restarting it" : ""}`;
    case "lost":
      return `${event.id} was taken over by another runner`;
    case "log":
      return `${event.id}: ${event.line}`;
    case "stopping":
      return "stopping: releasing the runs in progress, to resume from their last epoch";
    default:
      return null;
  }
}

export async function runSlurmTask(options: SlurmTaskOptions): Promise<RunnerSummary> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  const plan = readPlan(options.dir);
  const { cpus, ntasks, gpus } = taskResources(env);
  const workers = gpus.length > 0 ? gpus.length : workersPerTask(plan, cpus, undefined, ntasks);
  // Several Slurm tasks: every run becomes a job step (srun), so Slurm places its ranks, on
  // whichever of the job's nodes hold its CPUs. The workers inherit the switch.
  if (ntasks > 1) process.env[RUN_AS_JOB_STEPS] = "1";
  log(
    `slurm task ${env.SLURM_ARRAY_JOB_ID ?? env.SLURM_JOB_ID ?? "?"}_${env.SLURM_ARRAY_TASK_ID ?? "0"} on ${env.SLURMD_NODENAME ?? "?"}: ` +
      `${workers} worker${workers === 1 ? "" : "s"}, ${cpus} CPU${cpus === 1 ? "" : "s"}` +
      `${ntasks > 1 ? ` × ${ntasks} Slurm tasks, each run a job step (srun) on ${env.SLURM_JOB_NODELIST ?? "?"}` : ""}` +
      `${gpus.length > 0 ? `, GPUs ${gpus.join(",")}` : ""}`,
  );
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  try {
    const summary = await runPlan({
      dir: options.dir,
      plan,
      workers,
      ...(gpus.length > 0 ? { gpus } : { cores: cpus * ntasks }),
      trainer: options.trainer,
      staleAfterMs: options.staleAfterMs,
      retryFailed: options.retryFailed,
      wait: false,
      signal: controller.signal,
      onEvent: (event) => {
        const line = describe(event);
        if (line !== null) log(line);
      },
    });
    log(
      `task done: ${summary.completed.length} completed, ${summary.failed.length} failed` +
        `${summary.interrupted ? ", stopped by a signal" : ""}; every run complete: ${summary.allComplete}`,
    );
    return summary;
  } finally {
    process.off("SIGTERM", onSignal);
    process.off("SIGINT", onSignal);
  }
}

/**
 * `nnr experiment run --executor slurm`: its flags (the submission and the following of the
 * job are experiment/slurm/run.ts); and `nnr experiment slurm-task`, the command each array
 * task runs (not for users).
 */
import { type Command, Option } from "commander";
import { UserError } from "../../errors.js";
import { runSlurmTask } from "../../experiment/slurm/task.js";
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

/**
 * The batch script of an experiment's array job: every array task is one nnr runner that
 * claims runs from the experiment folder until none is left (`nnr experiment slurm-task`).
 * Slurm's choices go in #SBATCH lines; the user's `--sbatch-arg`s go on sbatch's command line,
 * which Slurm lets override them.
 */
import { join } from "node:path";

export interface BatchScriptOptions {
  /** Absolute experiment folder. */
  dir: string;
  jobName: string;
  tasks: number;
  arrayThrottle?: number;
  /** Slurm tasks per array task: the widest run's world size; srun starts its ranks. */
  ntasks: number;
  cpusPerTask: number;
  partition: string;
  time?: string;
  gres?: string;
  requeue: boolean;
  /** Seconds before the time limit at which the runner is told to stop (SIGTERM). */
  stopBeforeLimitSeconds: number;
  /** Where the tasks start, so relative paths in the command mean what they meant here. */
  workingDir: string;
  /** The nnr command line the tasks run (node, its flags, the nnr entry point). */
  nnr: readonly string[];
  /** Flags for the task command (stale-after, trainer, retry-failed). */
  taskFlags: readonly string[];
}

export function slurmDir(dir: string): string {
  return join(dir, "slurm");
}

export function slurmLogsDir(dir: string): string {
  return join(slurmDir(dir), "logs");
}

/** A word the shell takes literally. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** sbatch reads an #SBATCH value with spaces inside double quotes. */
function directiveQuote(directive: string): string {
  const [flag, value] = directive.split(/=(.*)/s) as [string, string | undefined];
  if (value === undefined || !/\s/.test(value)) return directive;
  return `${flag}="${value.replace(/(["\\])/g, "\\$1")}"`;
}

export function batchScript(options: BatchScriptOptions): string {
  const throttle = options.arrayThrottle !== undefined ? `%${options.arrayThrottle}` : "";
  const directives = [
    `--job-name=${options.jobName}`,
    `--array=0-${options.tasks - 1}${throttle}`,
    `--ntasks=${options.ntasks}`,
    `--cpus-per-task=${options.cpusPerTask}`,
    `--partition=${options.partition}`,
    ...(options.time !== undefined ? [`--time=${options.time}`] : []),
    ...(options.gres !== undefined ? [`--gres=${options.gres}`] : []),
    options.requeue ? "--requeue" : "--no-requeue",
    // B: signals the batch shell, which is the runner itself (exec below).
    `--signal=B:TERM@${options.stopBeforeLimitSeconds}`,
    `--output=${join(slurmLogsDir(options.dir), "%A_%a.out")}`,
    // A requeued task appends to its log instead of replacing it.
    "--open-mode=append",
    `--chdir=${options.workingDir}`,
  ];
  const command = [...options.nnr, "experiment", "slurm-task", options.dir, ...options.taskFlags];
  return [
    "#!/bin/bash",
    "# Written by nnr experiment run --executor slurm: one nnr runner per array task, claiming",
    "# runs from the experiment folder until none is left. Submit again to continue.",
    ...directives.map((directive) => `#SBATCH ${directiveQuote(directive)}`),
    "",
    `exec ${command.map(shellQuote).join(" ")}`,
    "",
  ].join("\n");
}

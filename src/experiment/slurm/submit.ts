/**
 * Submitting an experiment as one Slurm array job: checks first (sbatch on PATH, the
 * partition, a folder every node reaches), then the batch script, written atomically into
 * the folder, then sbatch, then the job's record in the folder.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { UserError } from "../../errors.js";
import { writeFileAtomicSync } from "../../io/atomic.js";
import type { Plan } from "../plan.js";
import { batchScript, slurmDir, slurmLogsDir } from "./batch-script.js";
import { checkSharedFs, checkTasksFit, resolvePartition } from "./checks.js";
import { slurm, slurmMessage } from "./commands.js";
import { type JobRecord, recordJob } from "./jobs.js";

export interface SlurmSubmitOptions {
  partition?: string;
  time?: string;
  /** CPUs per array task (default: the widest run's threads, so one run per task). */
  cpusPerTask?: number;
  gres?: string;
  arrayThrottle?: number;
  /** Array size (default: enough tasks for every unfinished run at once). */
  tasks?: number;
  sbatchArgs?: readonly string[];
  requeue?: boolean;
  assumeSharedFs?: boolean;
  /** Seconds before the time limit at which tasks stop their runs (default 60). */
  stopBeforeLimitSeconds?: number;
  /** Flags the tasks pass to their runner (stale-after, trainer, retry-failed). */
  taskFlags?: readonly string[];
}

export interface Submission {
  job: JobRecord;
  tasks: number;
  /** Slurm tasks each array task holds (the widest run's world size). */
  ntasks: number;
  cpusPerTask: number;
  workersPerTask: number;
}

/** GPUs a `--gres` asks for per task (gpu:2, gpu:a100:2); 0 when it asks for none. */
export function gresGpus(gres: string | undefined): number {
  if (gres === undefined) return 0;
  let gpus = 0;
  for (const part of gres.split(",")) {
    // gpu, gpu:N, gpu:TYPE, gpu:TYPE:N
    const match = /^gpu(?::([^:]+))?(?::(\d+))?$/.exec(part.trim());
    if (match === null) continue;
    const [, typeOrCount, count] = match;
    gpus += Number(count ?? (typeOrCount && /^\d+$/.test(typeOrCount) ? typeOrCount : 1));
  }
  return gpus;
}

/** Processes a run needs: its world size (absent means one). */
export function ranksOf(entry: Plan["runs"][number]): number {
  return entry.config.worldSize ?? 1;
}

/** CPUs per Slurm task: as asked, else the widest run's threads, so every run fits. */
export function cpusPerTaskFor(plan: Plan, requested: number | undefined): number {
  return requested ?? Math.max(...plan.runs.map((entry) => entry.config.threads));
}

/** Slurm tasks an array task asks for: enough for the widest run's ranks. */
export function ntasksFor(plan: Plan): number {
  return Math.max(...plan.runs.map(ranksOf));
}

/**
 * Runs one array task trains at once: one per GPU, or as many as its CPUs (over all its Slurm
 * tasks) hold of the narrowest run, counting a run of N ranks as N times its threads.
 */
export function workersPerTask(
  plan: Plan,
  cpusPerTask: number,
  gres: string | undefined,
  ntasks = 1,
): number {
  const gpus = gresGpus(gres);
  if (gpus > 0) return gpus;
  const narrowest = Math.min(...plan.runs.map((entry) => entry.config.threads * ranksOf(entry)));
  return Math.max(1, Math.floor((cpusPerTask * ntasks) / narrowest));
}

/** The command line that runs this nnr, for the tasks to run the same one. */
export function thisNnrCommand(): string[] {
  const entry = process.argv[1];
  if (entry === undefined) throw new Error("cannot tell how nnr was started (no process.argv[1])");
  return [process.execPath, ...process.execArgv, resolve(entry)];
}

/** A batch script written into the folder, and how to submit it. */
export interface PreparedSubmission {
  dir: string;
  script: string;
  /** sbatch's arguments, the script last. */
  sbatchArgs: string[];
  partition: string;
  tasks: number;
  ntasks: number;
  cpusPerTask: number;
  workersPerTask: number;
}

/** The checks, then the batch script, written atomically; nothing is submitted yet. */
export function prepareSubmission(
  dirGiven: string,
  plan: Plan,
  unfinished: number,
  options: SlurmSubmitOptions,
): PreparedSubmission {
  const dir = resolve(dirGiven);
  const partition = resolvePartition(options.partition);
  checkSharedFs(dir, partition, options.assumeSharedFs ?? false);
  const cpusPerTask = cpusPerTaskFor(plan, options.cpusPerTask);
  const ntasks = ntasksFor(plan);
  checkTasksFit(partition, ntasks, cpusPerTask);
  const workers = workersPerTask(plan, cpusPerTask, options.gres, ntasks);
  const tasks = options.tasks ?? Math.max(1, Math.ceil(unfinished / workers));
  mkdirSync(slurmLogsDir(dir), { recursive: true });
  const script = join(
    slurmDir(dir),
    `job-${new Date().toISOString().replace(/[-:.]/g, "")}-${randomBytes(2).toString("hex")}.sh`,
  );
  writeFileAtomicSync(
    script,
    batchScript({
      dir,
      jobName: `nnr-${plan.name}`,
      tasks,
      arrayThrottle: options.arrayThrottle,
      ntasks,
      cpusPerTask,
      partition,
      time: options.time,
      gres: options.gres,
      requeue: options.requeue ?? false,
      stopBeforeLimitSeconds: options.stopBeforeLimitSeconds ?? 60,
      workingDir: process.cwd(),
      nnr: thisNnrCommand(),
      taskFlags: options.taskFlags ?? [],
    }),
  );
  return {
    dir,
    script,
    sbatchArgs: ["--parsable", ...(options.sbatchArgs ?? []), script],
    partition,
    tasks,
    ntasks,
    cpusPerTask,
    workersPerTask: workers,
  };
}

export function submitPrepared(prepared: PreparedSubmission): Submission {
  const { dir, script, partition, tasks } = prepared;
  const submitted = slurm("sbatch", prepared.sbatchArgs);
  const jobId = /^(\d+)/.exec(submitted.stdout.trim())?.[1];
  if (submitted.status !== 0 || jobId === undefined) {
    throw new UserError(`sbatch refused the job (${script}): ${slurmMessage(submitted.stderr)}`);
  }
  const job = {
    jobId,
    submittedAt: new Date().toISOString(),
    script,
    tasks,
    partition,
    logs: join(slurmLogsDir(dir), "%A_%a.out"),
  };
  recordJob(dir, job);
  return {
    job: { format: "nnr-slurm-job/1", ...job },
    tasks,
    ntasks: prepared.ntasks,
    cpusPerTask: prepared.cpusPerTask,
    workersPerTask: prepared.workersPerTask,
  };
}

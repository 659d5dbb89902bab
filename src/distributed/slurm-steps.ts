/**
 * Runs spread over the tasks of a Slurm allocation: inside an array task that asked for
 * several Slurm tasks (`--ntasks=N`), each run is started as a job step (`srun`), so Slurm
 * places its ranks on the CPUs it gave the job, on as many nodes as it chose. Every rank reads
 * SLURM_PROCID, SLURM_NTASKS and SLURM_LOCALID (launcher-env.ts); rank 0's address is the
 * first host of the job's node list, and its port is derived from the job id, so two jobs
 * sharing a node do not meet on one port.
 */
import { spawnSync } from "node:child_process";
import { UserError } from "../errors.js";

/** The environment variable that tells a worker its runs go through srun (set by the task). */
export const RUN_AS_JOB_STEPS = "NNR_SLURM_JOB_STEPS";

/**
 * Rendezvous ports for runs started as job steps: 10000–29999, below Linux's ephemeral range
 * (32768–60999), where outgoing connections take their ports. Jobs whose ids differ by a
 * multiple of 20000 would share a port, but not a node at the same time in practice.
 */
export const STEP_PORT_BASE = 10_000;
export const STEP_PORT_SPAN = 20_000;

export function masterPortForJob(jobId: string): number {
  if (!/^\d+$/.test(jobId)) {
    throw new UserError(`SLURM_JOB_ID=${jobId} is not a job id; run this inside a Slurm job`);
  }
  return STEP_PORT_BASE + (Number(jobId) % STEP_PORT_SPAN);
}

type Env = Readonly<Record<string, string | undefined>>;

export interface StepAllocation {
  jobId: string;
  nodeList: string;
  /** Slurm tasks the job holds: the most ranks one run may have. */
  tasks: number;
  cpusPerTask: number;
}

/**
 * The allocation a worker's runs are started in as job steps; null when runs are trained in
 * the worker itself (outside Slurm, in a one-task job, or already inside a step).
 */
export function stepAllocation(env: Env = process.env): StepAllocation | null {
  if (env[RUN_AS_JOB_STEPS] !== "1" || env.SLURM_STEP_ID !== undefined) return null;
  const { SLURM_JOB_ID: jobId, SLURM_JOB_NODELIST: nodeList } = env;
  const tasks = Number(env.SLURM_NTASKS);
  const cpusPerTask = Number(env.SLURM_CPUS_PER_TASK ?? 1);
  if (!jobId || !nodeList || !Number.isInteger(tasks) || tasks < 1) return null;
  return { jobId, nodeList, tasks, cpusPerTask: Number.isInteger(cpusPerTask) ? cpusPerTask : 1 };
}

/** The job's first host, as `scontrol show hostnames` expands the node list. */
export function firstHost(nodeList: string): string {
  const result = spawnSync("scontrol", ["show", "hostnames", nodeList], {
    encoding: "utf8",
    timeout: 30_000,
  });
  const host = result.stdout?.split("\n")[0]?.trim();
  if (result.status !== 0 || !host) {
    throw new UserError(
      `scontrol show hostnames ${nodeList} gave no host (${result.error?.message ?? result.stderr?.trim() ?? "no output"}); is Slurm's scontrol on PATH inside the job?`,
    );
  }
  return host;
}

/**
 * srun's arguments for one run of `ranks` processes of `threads` threads each. srun outlives a
 * parent that dies, so a worker killed on its own (its runner alive, and about to start the run
 * again) would leave the old step training into the same folder: the launcher starts srun with
 * the kernel's parent-death signal where it can (launcher.ts, dieWithLauncher), and srun then
 * ends the step.
 */
export function srunArgs(ranks: number, threads: number, jobName: string): string[] {
  return [
    `--ntasks=${ranks}`,
    `--cpus-per-task=${threads}`,
    // Only the CPUs asked for, so runs of the same task can be steps side by side.
    "--exact",
    // One rank failing ends the others at once, rather than at the rendezvous timeout.
    "--kill-on-bad-exit=1",
    `--job-name=${jobName}`,
    "--export=ALL",
  ];
}

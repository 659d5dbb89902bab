/**
 * The Slurm jobs submitted for an experiment (`DIR/slurm/jobs/<job id>.json`, one file per
 * submission, so two submissions never rewrite one file), and the state of their array tasks
 * as the controller reports it: `scontrol show job` (no accounting database needed; it keeps
 * ended jobs for MinJobAge), then `sacct` for jobs it has forgotten.
 */
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../../errors.js";
import { writeFileAtomicSync } from "../../io/atomic.js";
import { slurmDir } from "./batch-script.js";
import { slurm, slurmMessage } from "./commands.js";

export const JOB_FORMAT = "nnr-slurm-job/1";

export interface JobRecord {
  format: typeof JOB_FORMAT;
  jobId: string;
  submittedAt: string;
  /** The batch script, in the experiment folder. */
  script: string;
  tasks: number;
  partition: string;
  /** Log files; %A is the job id, %a the task. */
  logs: string;
}

function jobsDir(dir: string): string {
  return join(slurmDir(dir), "jobs");
}

export function recordJob(dir: string, job: Omit<JobRecord, "format">): void {
  mkdirSync(jobsDir(dir), { recursive: true });
  const record: JobRecord = { format: JOB_FORMAT, ...job };
  writeFileAtomicSync(
    join(jobsDir(dir), `${job.jobId}.json`),
    `${JSON.stringify(record, null, 2)}\n`,
  );
}

/** The folder's jobs, oldest first; none when it was never submitted to Slurm. */
export function readJobs(dir: string): JobRecord[] {
  let names: string[];
  try {
    names = readdirSync(jobsDir(dir)).filter((name) => /^\d+\.json$/.test(name));
  } catch {
    return [];
  }
  return names
    .map((name) => JSON.parse(readFileSync(join(jobsDir(dir), name), "utf8")) as JobRecord)
    .sort((a, b) => Number(a.jobId) - Number(b.jobId));
}

/** Slurm's job states, grouped as the status shows them. */
export type TaskPhase = "pending" | "running" | "completed" | "failed" | "cancelled" | "unknown";

export interface TaskState {
  /** Array task index, or a range of pending ones ("3-7"), as Slurm gives it. */
  task: string;
  /** How many tasks this entry stands for (a pending range is one entry). */
  count: number;
  state: string;
  phase: TaskPhase;
  exitCode: string | null;
  reason: string | null;
}

export function phaseOf(state: string): TaskPhase {
  const base = state.split(/[\s+]/)[0]!.toUpperCase();
  if (["PENDING", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESV_DEL_HOLD"].includes(base))
    return "pending";
  if (
    [
      "RUNNING",
      "CONFIGURING",
      "COMPLETING",
      "SUSPENDED",
      "STOPPED",
      "RESIZING",
      "SIGNALING",
    ].includes(base)
  )
    return "running";
  if (base === "COMPLETED") return "completed";
  if (base === "CANCELLED" || base === "PREEMPTED") return "cancelled";
  if (["FAILED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE"].includes(base))
    return "failed";
  return "unknown";
}

/** Tasks an array index expression stands for: "4", "3-7", "3-7%2", "1,4-5". */
export function countTasks(expression: string): number {
  let count = 0;
  for (const part of expression.replace(/%\d+$/, "").split(",")) {
    const range = /^(\d+)-(\d+)(?::(\d+))?$/.exec(part);
    if (range) {
      const step = Number(range[3] ?? 1);
      count += Math.floor((Number(range[2]) - Number(range[1])) / step) + 1;
    } else if (/^\d+$/.test(part)) count++;
  }
  return Math.max(count, 1);
}

/** Parses `scontrol show job -o` lines (one job or array task per line, Key=Value fields). */
export function parseScontrol(text: string): TaskState[] {
  const states: TaskState[] = [];
  for (const line of text.split("\n")) {
    if (!line.includes("JobState=")) continue;
    const field = (key: string) => new RegExp(`(?:^|\\s)${key}=(\\S*)`).exec(line)?.[1] ?? null;
    const task = field("ArrayTaskId") ?? "0";
    const state = field("JobState") ?? "UNKNOWN";
    states.push({
      task,
      count: countTasks(task),
      state,
      phase: phaseOf(state),
      exitCode: field("ExitCode"),
      reason: field("Reason"),
    });
  }
  return states;
}

/** Parses `sacct -X -n -P -o JobID,State,ExitCode` (JobID like 12_3 or 12_[4-7]). */
export function parseSacct(text: string): TaskState[] {
  const states: TaskState[] = [];
  for (const line of text.split("\n")) {
    const [jobId, state, exitCode] = line.trim().split("|");
    if (jobId === undefined || state === undefined || jobId === "") continue;
    const task = (/_\[?([^\]]+)\]?$/.exec(jobId)?.[1] ?? "0").trim();
    states.push({
      task,
      count: countTasks(task),
      state,
      phase: phaseOf(state),
      exitCode: exitCode ?? null,
      reason: null,
    });
  }
  return states;
}

export interface JobState {
  jobId: string;
  /** Where the states came from; "none" when Slurm no longer knows the job. */
  source: "scontrol" | "sacct" | "none";
  tasks: TaskState[];
}

/**
 * The job's tasks as Slurm reports them. A controller that does not answer is an error (the
 * follower retries), never a job taken for ended: only "Invalid job id" from scontrol means
 * the controller has forgotten the job.
 */
export function jobState(jobId: string): JobState {
  const shown = slurm("scontrol", ["show", "job", "-o", jobId]);
  if (shown.status === 0) {
    const tasks = parseScontrol(shown.stdout);
    if (tasks.length > 0) return { jobId, source: "scontrol", tasks };
  } else if (!/invalid job id/i.test(shown.stderr)) {
    throw new UserError(`scontrol show job ${jobId}: ${slurmMessage(shown.stderr)}`);
  }
  const accounted = slurm("sacct", ["-X", "-n", "-P", "-j", jobId, "-o", "JobID,State,ExitCode"]);
  if (accounted.status === 0) {
    const tasks = parseSacct(accounted.stdout);
    if (tasks.length > 0) return { jobId, source: "sacct", tasks };
  }
  return { jobId, source: "none", tasks: [] };
}

export function phaseCounts(state: JobState): Record<TaskPhase, number> {
  const counts: Record<TaskPhase, number> = {
    pending: 0,
    running: 0,
    completed: 0,
    failed: 0,
    cancelled: 0,
    unknown: 0,
  };
  for (const task of state.tasks) counts[task.phase] += task.count;
  return counts;
}

/** Whether any task of the job may still claim runs. */
export function jobActive(state: JobState): boolean {
  const counts = phaseCounts(state);
  return counts.pending + counts.running > 0;
}

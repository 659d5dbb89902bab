/** The Slurm side of `nnr experiment status`: each submitted job's tasks, and which failed. */
import pc from "picocolors";
import { UserError } from "../../errors.js";
import { type JobRecord, type JobState, jobState, phaseCounts, readJobs } from "./jobs.js";

export interface SlurmJobStatus {
  job: JobRecord;
  state: JobState | null;
  /** Why the state could not be read (no Slurm here, no controller). */
  error: string | null;
}

/** The folder's jobs with their states; empty when the folder was never submitted. */
export function slurmJobsStatus(dir: string): SlurmJobStatus[] {
  return readJobs(dir).map((job) => {
    try {
      return { job, state: jobState(job.jobId), error: null };
    } catch (error) {
      if (error instanceof UserError) return { job, state: null, error: error.message };
      throw error;
    }
  });
}

function logOf(job: JobRecord, task: string): string {
  return job.logs.replace("%A", job.jobId).replace("%a", task);
}

export function formatSlurmStatus(jobs: readonly SlurmJobStatus[]): string[] {
  const lines: string[] = [];
  for (const { job, state, error } of jobs) {
    const head = `slurm job ${job.jobId} (${job.tasks} tasks, partition ${job.partition}, submitted ${job.submittedAt})`;
    if (state === null) {
      lines.push(`${head}: state unknown: ${error}`);
      continue;
    }
    if (state.source === "none") {
      lines.push(`${head}: ended; Slurm no longer lists it (logs: ${job.logs})`);
      continue;
    }
    const counts = phaseCounts(state);
    lines.push(
      `${head}: ${counts.pending} queued · ${counts.running} running · ${counts.completed} completed · ` +
        `${counts.failed > 0 ? pc.red(`${counts.failed} failed`) : "0 failed"} · ${counts.cancelled} cancelled` +
        (counts.unknown > 0 ? ` · ${counts.unknown} unknown` : ""),
    );
    for (const task of state.tasks) {
      if (task.phase !== "failed" && task.phase !== "cancelled") continue;
      lines.push(
        `  task ${job.jobId}_${task.task}: ${task.state}, exit ${task.exitCode ?? "?"}; log ${logOf(job, task.task)}`,
      );
    }
  }
  return lines;
}

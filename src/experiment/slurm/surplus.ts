/**
 * The tasks an experiment no longer needs. When every run is done, the folder's jobs may still
 * hold array tasks: a resubmission sized for the runs a cancelled job had left, whose runs an
 * earlier task then finished, or a throttled array whose first tasks trained everything. A
 * queued one would only start, find nothing to claim and exit, so it is cancelled (scancel of
 * the job's pending tasks only); a running one finds nothing and exits by itself, so it is
 * left to drain and the user is told.
 */
import { slurm } from "./commands.js";
import { type JobRecord, jobActive, jobState, phaseCounts } from "./jobs.js";

export interface SurplusTasks {
  /** Queued tasks cancelled, per job id. */
  cancelled: Record<string, number>;
  /** Tasks still running (they find no run left and exit), per job id. */
  draining: Record<string, number>;
  /** Jobs whose pending tasks scancel could not cancel, with Slurm's message. */
  failures: string[];
}

/** Cancels the pending tasks of the given jobs; says which tasks are still running. */
export function cancelSurplusTasks(jobs: readonly Pick<JobRecord, "jobId">[]): SurplusTasks {
  const result: SurplusTasks = { cancelled: {}, draining: {}, failures: [] };
  for (const { jobId } of jobs) {
    const state = jobState(jobId);
    if (!jobActive(state)) continue;
    const counts = phaseCounts(state);
    if (counts.pending > 0) {
      const cancel = slurm("scancel", ["--state=PENDING", jobId]);
      if (cancel.status === 0) result.cancelled[jobId] = counts.pending;
      else result.failures.push(`job ${jobId}: ${cancel.stderr.trim() || "scancel failed"}`);
    }
    if (counts.running > 0) result.draining[jobId] = counts.running;
  }
  return result;
}

/** What the user is told of the surplus tasks; empty when there were none. */
export function surplusLines(surplus: SurplusTasks): string[] {
  const lines: string[] = [];
  const tasks = (count: number) => `${count} task${count === 1 ? "" : "s"}`;
  for (const [jobId, count] of Object.entries(surplus.cancelled)) {
    lines.push(
      `every run is done: cancelled ${tasks(count)} of slurm job ${jobId} still queued (scancel --state=PENDING ${jobId})`,
    );
  }
  for (const [jobId, count] of Object.entries(surplus.draining)) {
    lines.push(
      `every run is done: ${tasks(count)} of slurm job ${jobId} still running, draining: they find no run left and exit`,
    );
  }
  for (const failure of surplus.failures) {
    lines.push(`could not cancel the queued tasks of ${failure}; cancel them with scancel`);
  }
  return lines;
}

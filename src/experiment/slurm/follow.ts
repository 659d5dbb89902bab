/**
 * Following a submitted job until the experiment is done or none of the job's tasks is left
 * to claim runs, printing progress (one line rewritten on a terminal, a line per change
 * otherwise). The folder says how the runs stand, the controller how the tasks stand.
 */
import { type ExperimentStatus, experimentStatus, progressBar } from "../status.js";
import { type JobState, jobActive, jobState, phaseCounts } from "./jobs.js";

export interface FollowOptions {
  dir: string;
  jobId: string;
  pollMs: number;
  staleAfterMs: number;
  tty: boolean;
  signal?: AbortSignal;
  write?: (text: string) => void;
}

export interface FollowResult {
  /** How it ended: every run complete, the job's tasks all ended, or the signal. */
  ending: "complete" | "job-ended" | "interrupted";
  status: ExperimentStatus;
  job: JobState;
}

/** Polls the controller may fail in a row (it restarting, say) before following gives up. */
const CONTROLLER_FAILURES_ALLOWED = 5;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

export function progressLine(jobId: string, job: JobState, status: ExperimentStatus): string {
  const tasks = phaseCounts(job);
  const ended = tasks.completed + tasks.failed + tasks.cancelled;
  const { counts } = status;
  return (
    `job ${jobId}: tasks ${tasks.running} running, ${tasks.pending} pending, ${ended} ended` +
    `${tasks.failed + tasks.cancelled > 0 ? ` (${tasks.failed} failed, ${tasks.cancelled} cancelled)` : ""} · ` +
    `[${progressBar(status.fraction, 20)}] runs ${counts.done}/${status.plan.runs.length} done, ` +
    `${counts.running} running${counts.failed > 0 ? `, ${counts.failed} failed` : ""}`
  );
}

export async function followJob(options: FollowOptions): Promise<FollowResult> {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  let failures = 0;
  let inactivePolls = 0;
  let previous = "";
  for (;;) {
    let job: JobState;
    try {
      job = jobState(options.jobId);
      failures = 0;
    } catch (error) {
      if (++failures > CONTROLLER_FAILURES_ALLOWED) throw error;
      await sleep(options.pollMs, options.signal);
      continue;
    }
    const status = experimentStatus(options.dir, options.staleAfterMs);
    const line = progressLine(options.jobId, job, status);
    if (line !== previous) write(options.tty ? `\r\x1b[K${line}` : `${line}\n`);
    previous = line;
    const finish = (ending: FollowResult["ending"]) => {
      if (options.tty) write("\n");
      return { ending, status, job };
    };
    if (status.counts.done === status.plan.runs.length) return finish("complete");
    // Ended only when seen so twice in a row: a task between two states (requeued,
    // completing) must not end the following early.
    inactivePolls = jobActive(job) ? 0 : inactivePolls + 1;
    if (inactivePolls >= 2) {
      // The last task may have finished the last run since the folder was read.
      const final = experimentStatus(options.dir, options.staleAfterMs);
      const complete = final.counts.done === final.plan.runs.length;
      if (options.tty) write("\n");
      return { ending: complete ? "complete" : "job-ended", status: final, job };
    }
    if (options.signal?.aborted) return finish("interrupted");
    await sleep(options.pollMs, options.signal);
    if (options.signal?.aborted) return finish("interrupted");
  }
}

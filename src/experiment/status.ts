/**
 * The state of every planned run, read from the folder alone (run.json and claim files), so
 * any process on any host sharing the folder can show it.
 */
import pc from "picocolors";
import { fileSystemNow, holderAlive, latestClaim, type RunProgress } from "./claims.js";
import { type Plan, readPlan } from "./plan.js";
import { runRecordStatus, unreadableMessage, unreadableRecord } from "./run-folders.js";

export const RUN_STATES = ["done", "running", "failed", "pending"] as const;
export type RunState = (typeof RUN_STATES)[number];

export interface RunStatus {
  id: string;
  state: RunState;
  /** Pending runs that were started before and will be resumed. */
  interrupted: boolean;
  progress: RunProgress | null;
  /** `host:pid` of the runner holding a running run. */
  holder: string | null;
  error: string | null;
}

export interface ExperimentStatus {
  dir: string;
  plan: Plan;
  counts: Record<RunState, number>;
  runs: RunStatus[];
  /** Fraction of the plan's training done, counting the epochs of running runs. */
  fraction: number;
}

/**
 * How far into a run its progress report is, from 0 to 1. As the trainer reports it, `epoch`
 * counts from 0 (the epoch under way) and `batch` from 1 (batches done in it).
 */
export function runFraction(progress: RunProgress | null): number {
  if (progress === null || progress.epochs <= 0) return 0;
  const withinEpoch = progress.batchesPerEpoch > 0 ? progress.batch / progress.batchesPerEpoch : 0;
  const fraction = (progress.epoch + withinEpoch) / progress.epochs;
  return Math.min(1, Math.max(0, fraction));
}

function currentTime(dir: string): number {
  try {
    return fileSystemNow(dir, `status-${process.pid}`);
  } catch {
    return Date.now(); // a read-only folder: our own clock will do
  }
}

export function experimentStatus(dir: string, staleAfterMs = 120_000): ExperimentStatus {
  const plan = readPlan(dir);
  const nowMs = currentTime(dir);
  const runs: RunStatus[] = plan.runs.map((entry) => {
    const record = runRecordStatus(dir, entry.id);
    const status: RunStatus = {
      id: entry.id,
      state: "pending",
      interrupted: false,
      progress: null,
      holder: null,
      error: null,
    };
    if (record === "complete") return { ...status, state: "done" };
    const claim = latestClaim(dir, entry.id);
    if (claim?.record.state === "running" && holderAlive(claim, nowMs, staleAfterMs)) {
      const { owner, progress } = claim.record;
      return {
        ...status,
        state: "running",
        progress,
        holder: `${owner.hostname}:${owner.runnerPid}`,
      };
    }
    // A damaged record will not resume: it is a failure to act on, whatever the claim says.
    const unreadable = unreadableRecord(dir, entry.id);
    if (unreadable !== null) {
      return { ...status, state: "failed", error: unreadableMessage(dir, entry.id, unreadable) };
    }
    if (claim === null) return { ...status, interrupted: record !== null };
    if (claim.record.state === "failed")
      return { ...status, state: "failed", error: claim.record.error };
    return { ...status, interrupted: true };
  });
  const counts = { done: 0, running: 0, failed: 0, pending: 0 };
  let progressSum = 0;
  for (const run of runs) {
    counts[run.state]++;
    progressSum +=
      run.state === "done" ? 1 : run.state === "running" ? runFraction(run.progress) : 0;
  }
  return { dir, plan, counts, runs, fraction: runs.length > 0 ? progressSum / runs.length : 0 };
}

export function progressBar(fraction: number, width = 30): string {
  const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
  return `${"█".repeat(filled)}${"░".repeat(width - filled)}`;
}

function describeRun(run: RunStatus): string {
  if (run.state === "running") {
    const where = run.progress
      ? `epoch ${run.progress.epoch + 1}/${run.progress.epochs}, batch ${run.progress.batch}/${run.progress.batchesPerEpoch}`
      : "starting";
    return `${pc.cyan("running")}  ${run.id}  ${where}  (${run.holder})`;
  }
  return `${pc.red("failed")}   ${run.id}  ${run.error ?? ""}`;
}

/** The text `nnr experiment status` prints. */
export function formatStatus(status: ExperimentStatus): string {
  const { counts, plan } = status;
  const interrupted = status.runs.filter((run) => run.interrupted).length;
  const lines = [
    `${status.dir}: plan '${plan.name}', ${plan.runs.length} runs`,
    `[${progressBar(status.fraction)}] ${(status.fraction * 100).toFixed(0).padStart(3)}%  ` +
      `${pc.green(`done ${counts.done}`)} · running ${counts.running} · ` +
      `${counts.failed > 0 ? pc.red(`failed ${counts.failed}`) : "failed 0"} · pending ${counts.pending}` +
      (interrupted > 0 ? ` (${interrupted} interrupted, will resume)` : ""),
  ];
  for (const run of status.runs) {
    if (run.state === "running" || run.state === "failed") lines.push(`  ${describeRun(run)}`);
  }
  return lines.join("\n");
}

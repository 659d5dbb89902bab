/**
 * What passes between a spread run's launcher and its ranks (rank-process.ts), however they
 * are started (spread-run.ts on this machine, step-run.ts through srun): the run as JSON in
 * the ranks' first argument, and back on rank 0's stdout its progress and, when it fails, the
 * failure, one prefixed JSON line each. Rank 0 writes the run folder, from which the launcher
 * reads the result.
 */
import { entryBeside, type ProcessEntry } from "../distributed/entry-point.js";
import { DEFAULT_DIST_TIMEOUT_S } from "../distributed/train-launch.js";
import { UserError } from "../errors.js";
import type { EpochProgress } from "./epoch.js";
import type { TrainRunOptions, TrainRunResult } from "./run.js";
import { readRunRecord } from "./run-folder.js";

/** Rank 0's progress lines on its stdout. */
export const PROGRESS_PREFIX = "nnr-progress ";
/** Rank 0's failure on its stdout: the message and whether it is the user's to act on. */
export const FAILURE_PREFIX = "nnr-failure ";

export interface RankJob {
  config: TrainRunOptions["config"];
  outDir: string;
  replicate: number;
  pool: TrainRunOptions["pool"];
  resume: boolean;
  timeoutMs: number;
  /** Rank 0 reports its progress and failure on stdout, for the launcher to read. */
  reportOnStdout?: boolean;
}

export interface RankFailure {
  message: string;
  userError: boolean;
}

/** What every rank of the run is handed, however it is started. */
export function rankJobOf(options: TrainRunOptions, extra: Partial<RankJob> = {}): RankJob {
  return {
    config: options.config,
    outDir: options.outDir,
    replicate: options.replicate,
    pool: options.pool ?? null,
    resume: options.resume ?? false,
    timeoutMs: DEFAULT_DIST_TIMEOUT_S * 1000,
    reportOnStdout: true,
    ...extra,
  };
}

/** The program every rank runs, and its arguments. */
export function rankCommand(job: RankJob): { command: string; args: string[] } {
  const entry: ProcessEntry = entryBeside(import.meta.url, "./rank-process");
  return { command: process.execPath, args: [...entry.execArgv, entry.path, JSON.stringify(job)] };
}

/** Reads rank 0's stdout: progress to onProgress, the failure kept, other lines to log. */
export function rankReports(options: Pick<TrainRunOptions, "onProgress" | "log">) {
  let failure: RankFailure | null = null;
  return {
    line(line: string): void {
      if (line.startsWith(PROGRESS_PREFIX)) {
        options.onProgress?.(JSON.parse(line.slice(PROGRESS_PREFIX.length)) as EpochProgress);
      } else if (line.startsWith(FAILURE_PREFIX)) {
        failure = JSON.parse(line.slice(FAILURE_PREFIX.length)) as RankFailure;
      } else options.log?.(line);
    },
    failure: (): RankFailure | null => failure,
  };
}

/** Rank 0's failure as this process's error, as trainRun would have thrown it. */
export function rankError(failure: RankFailure): Error {
  return failure.userError
    ? new UserError(failure.message, { exitCode: 1 })
    : new Error(failure.message);
}

/** The run rank 0 completed, from its folder; null when the folder does not say complete. */
export function completedRun(outDir: string): TrainRunResult | null {
  const record = readRunRecord(outDir);
  if (record?.status !== "complete" || record.weightsSha256 === undefined) return null;
  return {
    status: "complete",
    weightsSha256: record.weightsSha256,
    seconds: record.seconds,
    record,
  };
}

/**
 * The runner: executes a plan's runs in worker processes, `workers` at a time. Every run is
 * claimed first (claims.ts), so runners sharing the folder split the work; a run left
 * behind by a dead worker or runner is resumed from its last complete epoch. Aborting the
 * signal (Ctrl-C, SIGTERM) stops the workers and releases their claims, so the next runner
 * resumes those runs at once; so does a worker ended by SIGTERM.
 */
import { randomBytes } from "node:crypto";
import { renameSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { RUN_JSON } from "../run-folder/files.js";
import {
  type Claim,
  fileSystemNow,
  holderAlive,
  latestClaim,
  type RunProgress,
  tryClaim,
} from "./claims.js";
import type { Plan, PlanEntry } from "./plan.js";
import { runDir, runRecordStatus, unreadableMessage, unreadableRecord } from "./run-folders.js";
import { startWorker, type WorkerHandle, type WorkerOutcome } from "./worker-process.js";
import type { TrainerRef } from "./worker-protocol.js";

export interface RunnerOptions {
  dir: string;
  plan: Plan;
  /** Runs trained at once, each in its own process. */
  workers: number;
  /**
   * CPU cores the runs share (default: no limit). A run starts only while its threads fit
   * beside the runs in progress, or alone: a plan mixing 1- and 2-thread runs (the tooling
   * panel) keeps every core busy without oversubscribing them.
   */
  cores?: number;
  /** CUDA devices; worker slot k sees only gpus[k % gpus.length] (CUDA_VISIBLE_DEVICES). */
  gpus?: readonly string[];
  /** The training function; default the real trainer. Tests pass a stand-in. */
  trainer?: TrainerRef;
  /** A claim whose heartbeat is older than this is taken over (default 120 s). */
  staleAfterMs?: number;
  heartbeatMs?: number;
  /** How often to look for work while other runners hold the remaining runs. */
  pollMs?: number;
  /** Claim runs marked failed again (once per runner). */
  retryFailed?: boolean;
  /** Restarts (with resume) of a run whose worker process died, before it counts as failed. */
  maxAttempts?: number;
  /** How long workers have after SIGTERM before SIGKILL, when the runner stops (default 5 s). */
  stopGraceMs?: number;
  /** Wait for runs other runners hold, to take them over if their runner dies (default true). */
  wait?: boolean;
  signal?: AbortSignal;
  onEvent?: (event: RunnerEvent) => void;
}

export type RunnerEvent =
  | { type: "started"; id: string; slot: number; attempt: number; resumed: boolean }
  | { type: "progress"; id: string; slot: number; progress: RunProgress }
  | { type: "log"; id: string; line: string }
  | { type: "completed"; id: string; slot: number; seconds: number }
  | { type: "failed"; id: string; slot: number; message: string }
  | { type: "worker-died"; id: string; slot: number; reason: string; retrying: boolean }
  | { type: "lost"; id: string; slot: number }
  | { type: "waiting"; heldElsewhere: number }
  | { type: "stopping" };

export interface RunnerSummary {
  /** Runs this runner finished. */
  completed: string[];
  /** Of those and the failed ones, the runs it continued from an earlier attempt. */
  resumed: string[];
  failed: { id: string; message: string }[];
  /** Stopped by the signal before the plan was finished. */
  interrupted: boolean;
  /** Every planned run is complete (by this runner or others). */
  allComplete: boolean;
  seconds: number;
}

interface ActiveRun {
  entry: PlanEntry;
  claim: Claim;
  slot: number;
  attempt: number;
  worker: WorkerHandle;
  progress: RunProgress | null;
  lost: boolean;
  settled: Promise<void>;
}

/** Waits `ms`, or less if the signal aborts. */
const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });

function describeDeath(outcome: Extract<WorkerOutcome, { kind: "died" }>): string {
  return outcome.signal !== null
    ? `killed by ${outcome.signal}`
    : `exited with code ${outcome.code}`;
}

export async function runPlan(options: RunnerOptions): Promise<RunnerSummary> {
  const { dir, plan } = options;
  const started = performance.now();
  const staleAfterMs = options.staleAfterMs ?? 120_000;
  const maxAttempts = options.maxAttempts ?? 3;
  const emit = (event: RunnerEvent) => options.onEvent?.(event);
  const owner = {
    hostname: hostname(),
    runnerPid: process.pid,
    runnerId: `${process.pid}-${randomBytes(4).toString("hex")}`,
    workerPid: null,
  };
  const slots: (ActiveRun | null)[] = new Array(options.workers).fill(null);
  /** Runs this runner will not claim again: finished, failed or lost here. */
  const settledHere = new Set<string>();
  const summary: RunnerSummary = {
    completed: [],
    resumed: [],
    failed: [],
    interrupted: false,
    allComplete: false,
    seconds: 0,
  };
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    emit({ type: "stopping" });
    for (const active of slots) active?.worker.kill("SIGTERM");
    // A worker that outlives SIGTERM (a trainer that handles it) is killed, so the claims are
    // released well within Slurm's KillWait; checkpoints are written atomically either way.
    setTimeout(() => {
      for (const active of slots) active?.worker.kill("SIGKILL");
    }, options.stopGraceMs ?? 5_000).unref();
  };
  if (options.signal?.aborted) stop();
  options.signal?.addEventListener("abort", stop);

  const launch = (entry: PlanEntry, claim: Claim, slot: number, attempt: number) => {
    const resumed = runRecordStatus(dir, entry.id) !== null;
    if (resumed && !summary.resumed.includes(entry.id)) summary.resumed.push(entry.id);
    const env: Record<string, string> = {
      OMP_NUM_THREADS: String(entry.config.threads),
      MKL_NUM_THREADS: String(entry.config.threads),
    };
    if (options.gpus && options.gpus.length > 0) {
      env.CUDA_VISIBLE_DEVICES = options.gpus[slot % options.gpus.length]!;
    }
    const job = {
      entry,
      outDir: runDir(dir, entry.id),
      resume: resumed,
      trainer: options.trainer ?? null,
    };
    const active: ActiveRun = {
      entry,
      claim,
      slot,
      attempt,
      progress: null,
      lost: false,
      settled: Promise.resolve(),
      worker: startWorker(job, env, {
        onProgress: (progress) => {
          active.progress = progress;
          emit({ type: "progress", id: entry.id, slot, progress });
        },
        onLog: (line) => emit({ type: "log", id: entry.id, line }),
      }),
    };
    if (!claim.update({ workerPid: active.worker.pid })) {
      active.lost = true; // taken over in the instant since we claimed it
      active.worker.kill("SIGTERM");
    }
    slots[slot] = active;
    emit({ type: "started", id: entry.id, slot, attempt, resumed });
    active.settled = active.worker.outcome.then((outcome) => settle(active, outcome));
  };

  const settle = (active: ActiveRun, outcome: WorkerOutcome) => {
    const { entry, claim, slot } = active;
    slots[slot] = null;
    if (active.lost) {
      settledHere.add(entry.id);
      emit({ type: "lost", id: entry.id, slot });
      return;
    }
    if (outcome.kind === "done") {
      claim.update({ state: "done", progress: null });
      settledHere.add(entry.id);
      summary.completed.push(entry.id);
      emit({ type: "completed", id: entry.id, slot, seconds: outcome.seconds });
    } else if (outcome.kind === "failed") {
      claim.update({ state: "failed", error: outcome.message });
      settledHere.add(entry.id);
      summary.failed.push({ id: entry.id, message: outcome.message });
      emit({ type: "failed", id: entry.id, slot, message: outcome.message });
    } else if (stopping || outcome.signal === "SIGTERM") {
      // SIGTERM is a stop, not a crash to retry: Slurm's scancel, time limit and preemption
      // signal every process of the job, so the worker may hear it before this runner does.
      claim.update({ state: "released", workerPid: null });
      if (!stopping) settledHere.add(entry.id);
    } else {
      const reason = describeDeath(outcome);
      const retrying = active.attempt < maxAttempts;
      emit({ type: "worker-died", id: entry.id, slot, reason, retrying });
      if (retrying) return launch(entry, claim, slot, active.attempt + 1);
      const message = `worker ${reason} on each of ${maxAttempts} attempts`;
      claim.update({ state: "failed", error: message });
      settledHere.add(entry.id);
      summary.failed.push({ id: entry.id, message });
      emit({ type: "failed", id: entry.id, slot, message });
    }
  };

  // Wider runs first (plan order among equals): a run that needs every core then starts
  // while they are all free, instead of leaving one idle at the end waiting for the other.
  // A run over N processes needs N times its threads.
  const coresOf = (entry: PlanEntry) => entry.config.threads * (entry.config.worldSize ?? 1);
  const widestFirst = [...plan.runs].sort((a, b) => coresOf(b) - coresOf(a));

  const freeCores = (): number => {
    const busy = slots.reduce((sum, run) => sum + (run === null ? 0 : coresOf(run.entry)), 0);
    return busy === 0
      ? Number.POSITIVE_INFINITY
      : (options.cores ?? Number.POSITIVE_INFINITY) - busy;
  };

  /**
   * A run whose run.json is damaged will not resume and must not be waited on: without
   * retryFailed it is refused in one line (true: skip it); with it, it is trained again.
   */
  const refuseDamaged = (entry: PlanEntry, reason: string, nowMs: number): boolean => {
    if (options.retryFailed) return false;
    const latest = latestClaim(dir, entry.id);
    if (latest !== null && holderAlive(latest, nowMs, staleAfterMs)) return true;
    settledHere.add(entry.id);
    summary.failed.push({ id: entry.id, message: unreadableMessage(dir, entry.id, reason) });
    return true;
  };

  /** Keeps a damaged run.json beside the run, so the run starts afresh and nothing is lost. */
  const setAsideRecord = (id: string) => {
    const record = join(runDir(dir, id), RUN_JSON);
    renameSync(record, `${record}.unreadable`);
  };

  const claimNext = (): { entry: PlanEntry; claim: Claim } | null => {
    const nowMs = fileSystemNow(dir, owner.runnerId);
    const active = new Set(slots.map((run) => run?.entry.id));
    const free = freeCores();
    for (const entry of widestFirst) {
      if (settledHere.has(entry.id) || active.has(entry.id)) continue;
      if (coresOf(entry) > free) continue;
      if (runRecordStatus(dir, entry.id) === "complete") continue;
      const damaged = unreadableRecord(dir, entry.id);
      if (damaged !== null && refuseDamaged(entry, damaged, nowMs)) continue;
      const attempt = tryClaim(dir, entry.id, owner, {
        nowMs,
        staleAfterMs,
        retryFailed: options.retryFailed ?? false,
        retakeDone: damaged !== null,
      });
      if (attempt.claim === undefined) continue;
      if (damaged !== null) setAsideRecord(entry.id);
      // Finished between our look and our claim (its holder died before marking it done).
      if (runRecordStatus(dir, entry.id) === "complete") {
        attempt.claim.update({ state: "done" });
        continue;
      }
      return { entry, claim: attempt.claim };
    }
    return null;
  };

  /** Runs not complete and not settled as failed; those are what is left to wait for. */
  const unfinished = (): number =>
    plan.runs.filter((entry) => {
      if (runRecordStatus(dir, entry.id) === "complete") return false;
      if (settledHere.has(entry.id)) return false;
      const state = latestClaim(dir, entry.id)?.record.state;
      return !(state === "failed" && !options.retryFailed);
    }).length;

  const heartbeat = setInterval(() => {
    for (const active of slots) {
      if (active === null || active.lost) continue;
      if (!active.claim.update({ progress: active.progress })) {
        active.lost = true;
        active.worker.kill("SIGTERM");
      }
    }
  }, options.heartbeatMs ?? 5_000);

  try {
    for (;;) {
      if (!stopping) {
        for (let slot = 0; slot < slots.length; slot++) {
          if (slots[slot] !== null) continue;
          const next = claimNext();
          if (next === null) break;
          launch(next.entry, next.claim, slot, 1);
        }
      }
      const running = slots.filter((run): run is ActiveRun => run !== null);
      if (running.length === 0) {
        if (stopping) break;
        const left = unfinished();
        if (left === 0 || options.wait === false) break;
        emit({ type: "waiting", heldElsewhere: left });
        await sleep(options.pollMs ?? 5_000, options.signal);
        continue;
      }
      await Promise.race([
        ...running.map((run) => run.settled),
        sleep(options.pollMs ?? 5_000, options.signal),
      ]);
    }
  } finally {
    clearInterval(heartbeat);
    options.signal?.removeEventListener("abort", stop);
  }
  summary.interrupted = stopping;
  summary.allComplete = plan.runs.every((entry) => runRecordStatus(dir, entry.id) === "complete");
  summary.seconds = (performance.now() - started) / 1000;
  return summary;
}

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
  type ClaimOwner,
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
  return new PlanRunner(options).run();
}

/** One runner's pass over a plan: the slots, what it settled, and its summary. */
class PlanRunner {
  readonly #options: RunnerOptions;
  readonly #started = performance.now();
  readonly #owner: ClaimOwner;
  readonly #slots: (ActiveRun | null)[];
  /** Runs this runner will not claim again: finished, failed or lost here. */
  readonly #settledHere = new Set<string>();
  /** Wider runs first (see claimNext). */
  readonly #widestFirst: PlanEntry[];
  readonly #summary: RunnerSummary = {
    completed: [],
    resumed: [],
    failed: [],
    interrupted: false,
    allComplete: false,
    seconds: 0,
  };
  #stopping = false;

  constructor(options: RunnerOptions) {
    this.#options = options;
    this.#owner = {
      hostname: hostname(),
      runnerPid: process.pid,
      runnerId: `${process.pid}-${randomBytes(4).toString("hex")}`,
      workerPid: null,
    };
    this.#slots = new Array(options.workers).fill(null);
    // Wider runs first (plan order among equals): a run that needs every core then starts
    // while they are all free, instead of leaving one idle at the end waiting for the other.
    this.#widestFirst = [...options.plan.runs].sort((a, b) => coresOf(b) - coresOf(a));
  }

  async run(): Promise<RunnerSummary> {
    const { signal } = this.#options;
    if (signal?.aborted) this.stop();
    signal?.addEventListener("abort", this.stop);
    const heartbeat = setInterval(() => this.beat(), this.#options.heartbeatMs ?? 5_000);
    try {
      await this.loop();
    } finally {
      clearInterval(heartbeat);
      signal?.removeEventListener("abort", this.stop);
    }
    const { dir, plan } = this.#options;
    this.#summary.interrupted = this.#stopping;
    this.#summary.allComplete = plan.runs.every(
      (entry) => runRecordStatus(dir, entry.id) === "complete",
    );
    this.#summary.seconds = (performance.now() - this.#started) / 1000;
    return this.#summary;
  }

  /** Fills free slots, waits for a run to settle or for work, until nothing is left here. */
  private async loop(): Promise<void> {
    const pollMs = this.#options.pollMs ?? 5_000;
    for (;;) {
      if (!this.#stopping) this.fillSlots();
      const running = this.#slots.filter((run): run is ActiveRun => run !== null);
      if (running.length > 0) {
        await Promise.race([
          ...running.map((run) => run.settled),
          sleep(pollMs, this.#options.signal),
        ]);
        continue;
      }
      if (this.#stopping) return;
      const left = this.unfinished();
      if (left === 0 || this.#options.wait === false) return;
      this.emit({ type: "waiting", heldElsewhere: left });
      await sleep(pollMs, this.#options.signal);
    }
  }

  private fillSlots(): void {
    for (let slot = 0; slot < this.#slots.length; slot++) {
      if (this.#slots[slot] !== null) continue;
      const next = this.claimNext();
      if (next === null) return;
      this.launch(next.entry, next.claim, slot, 1);
    }
  }

  /** Stops every worker (SIGTERM); one that outlives it is killed after the grace. */
  private readonly stop = (): void => {
    if (this.#stopping) return;
    this.#stopping = true;
    this.emit({ type: "stopping" });
    for (const active of this.#slots) active?.worker.kill("SIGTERM");
    // A worker that outlives SIGTERM (a trainer that handles it) is killed, so the claims are
    // released well within Slurm's KillWait; checkpoints are written atomically either way.
    setTimeout(() => {
      for (const active of this.#slots) active?.worker.kill("SIGKILL");
    }, this.#options.stopGraceMs ?? 5_000).unref();
  };

  /** Renews every claim held; a claim taken over meanwhile stops its worker. */
  private beat(): void {
    for (const active of this.#slots) {
      if (active === null || active.lost) continue;
      if (!active.claim.update({ progress: active.progress })) {
        active.lost = true;
        active.worker.kill("SIGTERM");
      }
    }
  }

  private launch(entry: PlanEntry, claim: Claim, slot: number, attempt: number): void {
    const { dir } = this.#options;
    const resumed = runRecordStatus(dir, entry.id) !== null;
    if (resumed && !this.#summary.resumed.includes(entry.id)) this.#summary.resumed.push(entry.id);
    const job = {
      entry,
      outDir: runDir(dir, entry.id),
      resume: resumed,
      trainer: this.#options.trainer ?? null,
    };
    const active: ActiveRun = {
      entry,
      claim,
      slot,
      attempt,
      progress: null,
      lost: false,
      settled: Promise.resolve(),
      worker: startWorker(job, workerEnvironment(entry, slot, this.#options.gpus), {
        onProgress: (progress) => {
          active.progress = progress;
          this.emit({ type: "progress", id: entry.id, slot, progress });
        },
        onLog: (line) => this.emit({ type: "log", id: entry.id, line }),
      }),
    };
    if (!claim.update({ workerPid: active.worker.pid })) {
      active.lost = true; // taken over in the instant since we claimed it
      active.worker.kill("SIGTERM");
    }
    this.#slots[slot] = active;
    this.emit({ type: "started", id: entry.id, slot, attempt, resumed });
    active.settled = active.worker.outcome.then((outcome) => this.settle(active, outcome));
  }

  /** Records how a worker ended: done, failed, stopped, or died (retried a few times). */
  private settle(active: ActiveRun, outcome: WorkerOutcome): void {
    const { entry, claim, slot } = active;
    this.#slots[slot] = null;
    if (active.lost) {
      this.#settledHere.add(entry.id);
      this.emit({ type: "lost", id: entry.id, slot });
    } else if (outcome.kind === "done") {
      claim.update({ state: "done", progress: null });
      this.#settledHere.add(entry.id);
      this.#summary.completed.push(entry.id);
      this.emit({ type: "completed", id: entry.id, slot, seconds: outcome.seconds });
    } else if (outcome.kind === "failed") {
      this.fail(active, outcome.message);
    } else if (this.#stopping || outcome.signal === "SIGTERM") {
      // SIGTERM is a stop, not a crash to retry: Slurm's scancel, time limit and preemption
      // signal every process of the job, so the worker may hear it before this runner does.
      claim.update({ state: "released", workerPid: null });
      if (!this.#stopping) this.#settledHere.add(entry.id);
    } else {
      this.retryOrFail(active, outcome);
    }
  }

  private retryOrFail(active: ActiveRun, outcome: Extract<WorkerOutcome, { kind: "died" }>) {
    const { entry, claim, slot } = active;
    const maxAttempts = this.#options.maxAttempts ?? 3;
    const reason = describeDeath(outcome);
    const retrying = active.attempt < maxAttempts;
    this.emit({ type: "worker-died", id: entry.id, slot, reason, retrying });
    if (retrying) return this.launch(entry, claim, slot, active.attempt + 1);
    this.fail(active, `worker ${reason} on each of ${maxAttempts} attempts`);
  }

  private fail(active: ActiveRun, message: string): void {
    const { entry, claim, slot } = active;
    claim.update({ state: "failed", error: message });
    this.#settledHere.add(entry.id);
    this.#summary.failed.push({ id: entry.id, message });
    this.emit({ type: "failed", id: entry.id, slot, message });
  }

  /** Cores free beside the runs in progress (all of them, and no limit, when none runs). */
  private freeCores(): number {
    const busy = this.#slots.reduce((sum, run) => sum + (run === null ? 0 : coresOf(run.entry)), 0);
    return busy === 0
      ? Number.POSITIVE_INFINITY
      : (this.#options.cores ?? Number.POSITIVE_INFINITY) - busy;
  }

  /** The widest run that fits the free cores and that this runner can claim now. */
  private claimNext(): { entry: PlanEntry; claim: Claim } | null {
    const { dir } = this.#options;
    const nowMs = fileSystemNow(dir, this.#owner.runnerId);
    const active = new Set(this.#slots.map((run) => run?.entry.id));
    const free = this.freeCores();
    for (const entry of this.#widestFirst) {
      if (this.#settledHere.has(entry.id) || active.has(entry.id)) continue;
      if (coresOf(entry) > free) continue;
      if (runRecordStatus(dir, entry.id) === "complete") continue;
      const damaged = unreadableRecord(dir, entry.id);
      if (damaged !== null && this.refuseDamaged(entry, damaged, nowMs)) continue;
      const attempt = tryClaim(dir, entry.id, this.#owner, {
        nowMs,
        staleAfterMs: this.#options.staleAfterMs ?? 120_000,
        retryFailed: this.#options.retryFailed ?? false,
        retakeDone: damaged !== null,
      });
      if (attempt.claim === undefined) continue;
      if (damaged !== null) this.setAsideRecord(entry.id);
      // Finished between our look and our claim (its holder died before marking it done).
      if (runRecordStatus(dir, entry.id) === "complete") {
        attempt.claim.update({ state: "done" });
        continue;
      }
      return { entry, claim: attempt.claim };
    }
    return null;
  }

  /**
   * A run whose run.json is damaged will not resume and must not be waited on: without
   * retryFailed it is refused in one line (true: skip it); with it, it is trained again.
   */
  private refuseDamaged(entry: PlanEntry, reason: string, nowMs: number): boolean {
    const { dir, retryFailed } = this.#options;
    if (retryFailed) return false;
    const latest = latestClaim(dir, entry.id);
    const staleAfterMs = this.#options.staleAfterMs ?? 120_000;
    if (latest !== null && holderAlive(latest, nowMs, staleAfterMs)) return true;
    this.#settledHere.add(entry.id);
    this.#summary.failed.push({ id: entry.id, message: unreadableMessage(dir, entry.id, reason) });
    return true;
  }

  /** Keeps a damaged run.json beside the run, so the run starts afresh and nothing is lost. */
  private setAsideRecord(id: string): void {
    const record = join(runDir(this.#options.dir, id), RUN_JSON);
    renameSync(record, `${record}.unreadable`);
  }

  /** Runs not complete and not settled as failed; those are what is left to wait for. */
  private unfinished(): number {
    const { dir, plan, retryFailed } = this.#options;
    return plan.runs.filter((entry) => {
      if (runRecordStatus(dir, entry.id) === "complete") return false;
      if (this.#settledHere.has(entry.id)) return false;
      const state = latestClaim(dir, entry.id)?.record.state;
      return !(state === "failed" && !retryFailed);
    }).length;
  }

  private emit(event: RunnerEvent): void {
    this.#options.onEvent?.(event);
  }
}

/** A run over N processes needs N times its threads. */
const coresOf = (entry: PlanEntry) => entry.config.threads * (entry.config.worldSize ?? 1);

/** The worker's threads, and on a GPU machine the one device its slot sees. */
function workerEnvironment(
  entry: PlanEntry,
  slot: number,
  gpus: readonly string[] | undefined,
): Record<string, string> {
  const env: Record<string, string> = {
    OMP_NUM_THREADS: String(entry.config.threads),
    MKL_NUM_THREADS: String(entry.config.threads),
  };
  if (gpus && gpus.length > 0) env.CUDA_VISIBLE_DEVICES = gpus[slot % gpus.length]!;
  return env;
}

/**
 * Claim files: which runner holds which run, so that runners sharing a folder (on one
 * machine, or several over a shared file system) never run a replicate twice.
 *
 * `DIR/claims/<run id>/<generation>.json`. A runner claims a run by creating the next
 * generation's file; creation is exclusive (a finished temporary file is hard-linked to the
 * name, which fails if the name exists), so exactly one runner wins each generation and no
 * reader ever sees half a file. The holder rewrites its file every few seconds (heartbeat).
 * A claim whose holder is gone — its processes dead on this host, or its heartbeat older than
 * `staleAfterMs` on any host — may be taken over by creating the next generation; a holder
 * that finds a newer generation above its own has lost the run and stops.
 */

import { linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { writeFileAtomicSync } from "../io/atomic.js";

export const CLAIM_FORMAT = "nnr-claim/1";

export type ClaimState = "running" | "done" | "failed" | "released";

export interface ClaimOwner {
  hostname: string;
  /** The runner process: it writes the heartbeats. */
  runnerPid: number;
  /** Unique per runner process, so two runners with one pid (two hosts) differ. */
  runnerId: string;
  /** The worker process training the run, once started. */
  workerPid: number | null;
}

/** As the trainer reports it: `epoch` from 0 (the one under way), `batch` from 1. */
export interface RunProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batchesPerEpoch: number;
}

export interface ClaimRecord {
  format: typeof CLAIM_FORMAT;
  id: string;
  generation: number;
  state: ClaimState;
  owner: ClaimOwner;
  claimedAt: string;
  heartbeatAt: string;
  progress: RunProgress | null;
  error: string | null;
}

/** A claim as found on disk: the record and when its file was last written (file-system clock). */
export interface ClaimFile {
  record: ClaimRecord;
  mtimeMs: number;
}

export function claimsDir(dir: string): string {
  return join(dir, "claims");
}

function runClaimsDir(dir: string, id: string): string {
  return join(claimsDir(dir), id);
}

function generationFile(dir: string, id: string, generation: number): string {
  return join(runClaimsDir(dir, id), `${String(generation).padStart(6, "0")}.json`);
}

/** The latest generation's claim of a run, or null if nobody has claimed it. */
export function latestClaim(dir: string, id: string): ClaimFile | null {
  let names: string[];
  try {
    names = readdirSync(runClaimsDir(dir, id)).filter((name) => /^\d{6}\.json$/.test(name));
  } catch {
    return null;
  }
  if (names.length === 0) return null;
  const path = join(runClaimsDir(dir, id), names.sort().at(-1)!);
  return {
    record: JSON.parse(readFileSync(path, "utf8")) as ClaimRecord,
    mtimeMs: statSync(path).mtimeMs,
  };
}

/** The file system's current time, read by touching a file: hosts' clocks may disagree. */
export function fileSystemNow(dir: string, runnerId: string): number {
  mkdirSync(claimsDir(dir), { recursive: true });
  const path = join(claimsDir(dir), `.clock-${runnerId}`);
  writeFileAtomicSync(path, "");
  const now = statSync(path).mtimeMs;
  rmSync(path, { force: true });
  return now;
}

/**
 * Whether a process is alive. A zombie is not: `kill(pid, 0)` still succeeds on one until its
 * parent reaps it, and a killed worker whose runner died too waits for init to reap it (every
 * few seconds in some containers, never under an init that does not reap), while its claim
 * must be free at once. Linux's /proc says which; where there is no /proc, kill(pid, 0) alone.
 */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return !["Z", "X"].includes(processState(pid) ?? "");
}

/** The state letter in /proc/<pid>/stat (R, S, D, Z, X, ...), or null where it cannot be read. */
export function processState(pid: number): string | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // "pid (comm) state ...": comm may hold spaces and parentheses, so read after the last ')'.
  return /^\s*(\S)/.exec(stat.slice(stat.lastIndexOf(")") + 1))?.[1] ?? null;
}

/**
 * Whether a running claim's holder is still there. On its own host a holder is gone as soon
 * as neither its runner nor its worker process is alive; anywhere, once its heartbeat is
 * older than `staleAfterMs` (this also covers a pid reused by another process).
 */
export function holderAlive(claim: ClaimFile, nowMs: number, staleAfterMs: number): boolean {
  if (claim.record.state !== "running") return false;
  if (nowMs - claim.mtimeMs > staleAfterMs) return false;
  const { owner } = claim.record;
  if (owner.hostname !== hostname()) return true;
  return (
    processAlive(owner.runnerPid) || (owner.workerPid !== null && processAlive(owner.workerPid))
  );
}

/** A claim this process holds. */
export class Claim {
  private record: ClaimRecord;

  constructor(
    readonly dir: string,
    record: ClaimRecord,
  ) {
    this.record = record;
  }

  get id(): string {
    return this.record.id;
  }

  get generation(): number {
    return this.record.generation;
  }

  /** True once another runner has taken the run over (a newer generation exists). */
  superseded(): boolean {
    const latest = latestClaim(this.dir, this.id);
    return latest !== null && latest.record.generation > this.generation;
  }

  /**
   * Rewrites the claim with fresh heartbeat time and any changes; returns false (and writes
   * nothing) when the run has been taken over.
   */
  update(
    changes: Partial<Pick<ClaimRecord, "state" | "progress" | "error">> & {
      workerPid?: number | null;
    } = {},
  ): boolean {
    if (this.superseded()) return false;
    const { workerPid, ...rest } = changes;
    this.record = {
      ...this.record,
      ...rest,
      owner: workerPid === undefined ? this.record.owner : { ...this.record.owner, workerPid },
      heartbeatAt: new Date().toISOString(),
    };
    writeFileAtomicSync(
      generationFile(this.dir, this.id, this.generation),
      JSON.stringify(this.record),
    );
    return true;
  }
}

export interface ClaimAttempt {
  /** Claimed: this runner now holds the run. */
  claim?: Claim;
  /** Not claimed, and why. */
  reason?: "held" | "done" | "failed";
}

/**
 * Tries to claim a run: a first claim, or a takeover of one whose holder is gone or that was
 * released. A run marked done is claimed again only with `retakeDone`; a failed one only with
 * `retryFailed`.
 */
export function tryClaim(
  dir: string,
  id: string,
  owner: ClaimOwner,
  options: { nowMs: number; staleAfterMs: number; retryFailed: boolean; retakeDone?: boolean },
): ClaimAttempt {
  const latest = latestClaim(dir, id);
  if (latest !== null) {
    const { state } = latest.record;
    // retakeDone: a run marked done whose record has since been damaged, to train again.
    if (state === "done" && options.retakeDone !== true) return { reason: "done" };
    if (state === "failed" && !options.retryFailed) return { reason: "failed" };
    if (state === "running" && holderAlive(latest, options.nowMs, options.staleAfterMs)) {
      return { reason: "held" };
    }
  }
  const generation = (latest?.record.generation ?? 0) + 1;
  const now = new Date().toISOString();
  const record: ClaimRecord = {
    format: CLAIM_FORMAT,
    id,
    generation,
    state: "running",
    owner,
    claimedAt: now,
    heartbeatAt: now,
    progress: null,
    error: null,
  };
  mkdirSync(runClaimsDir(dir, id), { recursive: true });
  const path = generationFile(dir, id, generation);
  const temporary = `${path}.${owner.runnerId}.tmp`;
  writeFileAtomicSync(temporary, JSON.stringify(record));
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return { reason: "held" };
    throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
  return { claim: new Claim(dir, record) };
}

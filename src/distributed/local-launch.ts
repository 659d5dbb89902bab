/**
 * `nnr train --nproc N` on one machine: N copies of the same command, each told its rank
 * through the environment torchrun sets (RANK, WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE,
 * MASTER_ADDR, MASTER_PORT), rendezvousing on the loopback. When one rank fails or dies, the
 * others notice at their next collective and exit by themselves (rank 0 first marks the run
 * failed, with the reason); any still running after `noticeMs` get SIGTERM, and SIGKILL after
 * `graceMs` more, so nothing is left waiting.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { UserError } from "../errors.js";
import { parentEnvironment } from "./parent-watch.js";

export interface LocalLaunchOptions {
  nproc: number;
  /** The command each rank runs: the program and its arguments. */
  command: string;
  args: readonly string[];
  masterAddr?: string;
  /** null: a free port, chosen now. */
  masterPort?: number | null;
  /** How long the others may take to stop by themselves after one rank has failed. */
  noticeMs?: number;
  /** How long they may take to stop after SIGTERM. */
  graceMs?: number;
  log?: (line: string) => void;
}

export interface RankExit {
  rank: number;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A TCP port free on this machine now (the OS picks it; the ranks bind it moments later). */
export function freePort(host = "127.0.0.1"): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Runs the ranks to the end; resolves with the first failure (or null when all succeeded). */
export async function launchLocalRanks(options: LocalLaunchOptions): Promise<RankExit | null> {
  const masterAddr = options.masterAddr ?? "127.0.0.1";
  const masterPort = options.masterPort ?? (await freePort(masterAddr));
  const noticeMs = options.noticeMs ?? 5_000;
  const graceMs = options.graceMs ?? 10_000;
  const log = options.log ?? (() => {});
  const children: ChildProcess[] = [];
  let firstFailure: RankExit | null = null;
  const exits = Array.from({ length: options.nproc }, (_, rank) => {
    const child = spawn(options.command, [...options.args], {
      env: {
        ...process.env,
        RANK: String(rank),
        WORLD_SIZE: String(options.nproc),
        LOCAL_RANK: String(rank),
        LOCAL_WORLD_SIZE: String(options.nproc),
        MASTER_ADDR: masterAddr,
        MASTER_PORT: String(masterPort),
        ...parentEnvironment(),
      },
      stdio: ["ignore", "inherit", "inherit"],
    });
    children.push(child);
    return new Promise<RankExit>((resolve) => {
      child.once("error", (error) => {
        resolve({ rank, code: 127, signal: null });
        log(`rank ${rank} could not start: ${error.message}`);
      });
      child.once("exit", (code, signal) => resolve({ rank, code, signal }));
    });
  });
  const forward = (signal: NodeJS.Signals) => {
    for (const child of children) if (child.exitCode === null) child.kill(signal);
  };
  const onSignal = (signal: NodeJS.Signals) => forward(signal);
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const timers: NodeJS.Timeout[] = [];
  try {
    await Promise.all(
      exits.map((exit) =>
        exit.then((result) => {
          if (result.code === 0 || firstFailure !== null) return;
          firstFailure = result;
          timers.push(setTimeout(() => forward("SIGTERM"), noticeMs));
          timers.push(setTimeout(() => forward("SIGKILL"), noticeMs + graceMs));
        }),
      ),
    );
  } finally {
    for (const timer of timers) clearTimeout(timer);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  return firstFailure;
}

export function describeExit(exit: RankExit): string {
  return exit.signal !== null ? `was killed (${exit.signal})` : `exited with code ${exit.code}`;
}

/** The failure as the parent's one-line error. */
export function launchError(exit: RankExit, nproc: number): UserError {
  return new UserError(
    `rank ${exit.rank} of ${nproc} ${describeExit(exit)}; the run stopped (its folder can continue with --resume)`,
    { exitCode: 1 },
  );
}

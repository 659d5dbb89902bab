/**
 * The one launcher of nnr's ranks: `nnr train --nproc N` (N copies of the command), a run the
 * experiment runner spreads over N local processes (train/spread-run.ts), and a run started as
 * a Slurm job step (one srun, which starts the ranks itself and gives them Slurm's variables;
 * train/step-run.ts). Local ranks get torchrun's environment (RANK, LOCAL_RANK, WORLD_SIZE,
 * LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT) and NNR_PARENT_PID (parent-watch.ts).
 *
 * Every wait is bounded. When one process fails, the others have `noticeMs` to stop by
 * themselves (a rank notices a dead peer at its next collective; rank 0 first marks the run
 * failed), then get SIGTERM, and SIGKILL after `graceMs` more. Once rank 0 has succeeded, the
 * others have `finishMs` to exit, then are stopped the same way. The signals named in
 * `forward` are passed on to every process, which then has `graceMs` before SIGKILL; with
 * `reraise`, the launcher afterwards ends by the same signal (a worker stops as its runner
 * asked it to).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { UserError } from "../errors.js";
import { parentEnvironment } from "./parent-watch.js";

export interface LaunchedProcess {
  /** The rank it is (srun, which starts every rank itself, counts as rank 0). */
  rank: number;
  command: string;
  args: readonly string[];
  /** Set on top of this process's own environment. */
  env: Record<string, string>;
}

/** Where the processes' output goes: this process's own, or line by line to callbacks. */
export type LaunchOutput =
  | "inherit"
  | { stdout(line: string, rank: number): void; stderr(line: string, rank: number): void };

export interface LaunchOptions {
  output: LaunchOutput;
  /** Signals passed on to every process (default SIGINT and SIGTERM). */
  forward?: readonly NodeJS.Signals[];
  /** After passing a signal on and the processes are gone, end this process by it too. */
  reraise?: boolean;
  /** In a process group of their own: a terminal's Ctrl-C reaches them only through here. */
  isolate?: boolean;
  /**
   * The kernel sends them SIGTERM when this process dies, even by SIGKILL (util-linux's
   * setpriv --pdeathsig, 2.33 and later; without it, parent-watch.ts is the only guard).
   */
  dieWithLauncher?: boolean;
  /** How long the others may take to stop by themselves after one has failed. */
  noticeMs?: number;
  /** How long they may take to stop after a signal. */
  graceMs?: number;
  /** How long the others may take to exit after rank 0 has succeeded. */
  finishMs?: number;
  log?: (line: string) => void;
}

export interface RankExit {
  rank: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Why it could not start (code ENOENT: the command is not on PATH). */
  error?: NodeJS.ErrnoException;
}

/** Where a rank stands, as torchrun tells it. */
export interface RankPlace {
  rank: number;
  worldSize: number;
  localRank: number;
  localWorldSize: number;
  masterAddr: string;
  masterPort: number;
}

/** torchrun's environment for one rank. */
export function torchrunEnvironment(place: RankPlace): Record<string, string> {
  return {
    RANK: String(place.rank),
    WORLD_SIZE: String(place.worldSize),
    LOCAL_RANK: String(place.localRank),
    LOCAL_WORLD_SIZE: String(place.localWorldSize),
    MASTER_ADDR: place.masterAddr,
    MASTER_PORT: String(place.masterPort),
  };
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

export interface LocalRanks extends LaunchOptions {
  nproc: number;
  /** The command each rank runs: the program and its arguments. */
  command: string;
  args: readonly string[];
  masterAddr?: string;
  /** null: a free port, chosen now. */
  masterPort?: number | null;
}

/** N ranks on this machine, rendezvousing at masterAddr (the loopback by default). */
export async function launchLocalRanks(options: LocalRanks): Promise<RankExit | null> {
  const masterAddr = options.masterAddr ?? "127.0.0.1";
  const masterPort = options.masterPort ?? (await freePort(masterAddr));
  const processes = Array.from({ length: options.nproc }, (_, rank) => ({
    rank,
    command: options.command,
    args: options.args,
    env: {
      ...torchrunEnvironment({
        rank,
        worldSize: options.nproc,
        localRank: rank,
        localWorldSize: options.nproc,
        masterAddr,
        masterPort,
      }),
      ...parentEnvironment(),
    },
  }));
  return launchProcesses(processes, options);
}

/** Runs the processes to the end; resolves with the first failure (or null when all succeeded). */
export async function launchProcesses(
  processes: readonly LaunchedProcess[],
  options: LaunchOptions,
): Promise<RankExit | null> {
  const started = processes.map((process) => startProcess(process, options));
  const stopper = new Stopper(
    started.map(({ child }) => child),
    options.graceMs ?? 10_000,
  );
  const signals = passSignalsOn(stopper, options.forward ?? ["SIGINT", "SIGTERM"]);
  let firstFailure: RankExit | null = null;
  try {
    await Promise.all(
      started.map(({ exit }) =>
        exit.then((result) => {
          if (result.code === 0) {
            if (result.rank === 0) stopper.stopAfter(options.finishMs ?? 60_000);
          } else if (firstFailure === null) {
            firstFailure = result;
            stopper.stopAfter(options.noticeMs ?? 5_000);
          }
        }),
      ),
    );
  } finally {
    stopper.dispose();
    signals.dispose(options.reraise ?? false);
  }
  return firstFailure;
}

function startProcess(
  launched: LaunchedProcess,
  options: LaunchOptions,
): { child: ChildProcess; exit: Promise<RankExit> } {
  const { rank } = launched;
  const [command, ...args] = options.dieWithLauncher
    ? [...deathSignalPrefix(), launched.command, ...launched.args]
    : [launched.command, ...launched.args];
  const output = options.output;
  const child = spawn(command!, args, {
    env: { ...process.env, ...launched.env },
    stdio: output === "inherit" ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
    detached: options.isolate ?? false,
  });
  if (output !== "inherit") {
    forwardLines(child.stdout!, (line) => output.stdout(line, rank));
    forwardLines(child.stderr!, (line) => output.stderr(line, rank));
  }
  const exit = new Promise<RankExit>((resolve) => {
    child.once("error", (error: NodeJS.ErrnoException) => {
      options.log?.(`rank ${rank} could not start: ${error.message}`);
      resolve({ rank, code: 127, signal: null, error });
    });
    // Piped output: "close" comes once the last line is read, so no report is lost.
    child.once(output === "inherit" ? "exit" : "close", (code: number | null, signal) =>
      resolve({ rank, code, signal }),
    );
  });
  return { child, exit };
}

/** Signals and, a bounded time later, SIGKILL to the processes still running. */
class Stopper {
  readonly #timers: NodeJS.Timeout[] = [];
  #deadline = Number.POSITIVE_INFINITY;

  constructor(
    private readonly children: readonly ChildProcess[],
    private readonly graceMs: number,
  ) {}

  /** SIGTERM to whatever still runs `ms` from now, then SIGKILL (unless sooner already). */
  stopAfter(ms: number): void {
    if (Date.now() + ms >= this.#deadline) return;
    this.#deadline = Date.now() + ms;
    this.#timers.push(setTimeout(() => this.send("SIGTERM"), ms));
    this.#timers.push(setTimeout(() => this.send("SIGKILL"), ms + this.graceMs));
  }

  /** The signal now, SIGKILL after the grace. */
  signalNow(signal: NodeJS.Signals): void {
    this.send(signal);
    if (Date.now() + this.graceMs < this.#deadline) {
      this.#deadline = Date.now() + this.graceMs;
      this.#timers.push(setTimeout(() => this.send("SIGKILL"), this.graceMs));
    }
  }

  dispose(): void {
    for (const timer of this.#timers) clearTimeout(timer);
  }

  private send(signal: NodeJS.Signals): void {
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    }
  }
}

/**
 * Handlers that pass each signal on while the processes run. They are held (not `once`) until
 * the processes are gone: a second signal must not end this process before they were told.
 */
function passSignalsOn(stopper: Stopper, signals: readonly NodeJS.Signals[]) {
  let received: NodeJS.Signals | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    received ??= signal;
    stopper.signalNow(signal);
  };
  for (const signal of signals) process.on(signal, onSignal);
  return {
    dispose(reraise: boolean) {
      for (const signal of signals) process.off(signal, onSignal);
      if (reraise && received !== null) process.kill(process.pid, received);
    },
  };
}

let deathSignalSupport: boolean | null = null;

/** setpriv's prefix that has the kernel send SIGTERM once the parent dies; [] without it. */
export function deathSignalPrefix(): string[] {
  if (deathSignalSupport === null) {
    const help = spawnSync("setpriv", ["--help"], { encoding: "utf8", timeout: 10_000 });
    deathSignalSupport = help.status === 0 && help.stdout.includes("--pdeathsig");
  }
  return deathSignalSupport ? ["setpriv", "--pdeathsig", "TERM", "--"] : [];
}

/** Splits a stream into non-empty lines. */
export function forwardLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let pending = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) if (line.trim() !== "") onLine(line);
  });
  stream.on("end", () => {
    if (pending.trim() !== "") onLine(pending);
  });
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

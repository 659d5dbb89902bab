/** Processes for the distributed tests: the CLI as N ranks, started by hand or by --nproc. */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { freePort } from "../../src/distributed/launcher.js";
import { cliEntry } from "../train/helpers.js";

export { freePort };

/** A deterministic run small enough for seconds, big enough that 2 ranks split its batches. */
export const CONTROL_RUN = [
  "--setting",
  "control",
  "--train-examples",
  "256",
  "--test-examples",
  "64",
  "--batch-size",
  "32",
  "--epochs",
  "2",
];

export interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Started {
  child: ChildProcess;
  done: Promise<Finished>;
  /** Everything it printed to stderr so far. */
  stderr: () => string;
}

export function start(command: string, args: string[], env: Record<string, string> = {}): Started {
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const done = new Promise<Finished>((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done, stderr: () => stderr };
}

/** `nnr ARGS` in a child process, from the TypeScript sources. */
export function startCli(args: string[], env: Record<string, string> = {}): Started {
  return start(process.execPath, ["--import", "tsx", cliEntry, ...args], env);
}

/** The launcher's environment for rank `rank` of `worldSize` on the loopback. */
export function rankEnv(rank: number, worldSize: number, port: number): Record<string, string> {
  return {
    RANK: String(rank),
    WORLD_SIZE: String(worldSize),
    LOCAL_RANK: String(rank),
    MASTER_ADDR: "127.0.0.1",
    MASTER_PORT: String(port),
  };
}

/** Each rank of `nnr ARGS` started by hand, as torchrun would. */
export function startRanks(args: string[], worldSize: number, port: number): Started[] {
  return Array.from({ length: worldSize }, (_, rank) =>
    startCli(args, rankEnv(rank, worldSize, port)),
  );
}

/** Resolves once `started` has printed a stderr line matching pattern; rejects on timeout or exit. */
export function waitForLine(started: Started, pattern: RegExp, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (
        started
          .stderr()
          .split("\n")
          .some((line) => pattern.test(line))
      ) {
        finish();
        resolve();
      }
    };
    const timer = setTimeout(() => {
      finish();
      reject(
        new Error(`no stderr line matching ${pattern} in ${timeoutMs} ms:\n${started.stderr()}`),
      );
    }, timeoutMs);
    const onExit = () => {
      check();
      finish();
      reject(new Error(`exited before a stderr line matching ${pattern}:\n${started.stderr()}`));
    };
    const finish = () => {
      clearTimeout(timer);
      started.child.stderr!.off("data", check);
      started.child.off("exit", onExit);
    };
    started.child.stderr!.on("data", check);
    started.child.on("exit", onExit);
  });
}

/** The last non-empty line a process printed to stderr. */
export function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}

export const ddpWorker = fileURLToPath(new URL("./ddp-worker.ts", import.meta.url));
export const ddpReference = fileURLToPath(
  new URL("../../scripts/reference/ddp_reference.py", import.meta.url),
);

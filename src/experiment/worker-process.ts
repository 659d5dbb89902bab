/**
 * Starting a worker process for one run and following it to its end. The worker entry is
 * worker.js beside this file, or worker.ts through tsx (distributed/entry-point.ts).
 */
import { type ChildProcess, fork } from "node:child_process";
import { entryBeside } from "../distributed/entry-point.js";
import { forwardLines } from "../distributed/launcher.js";
import type { RunProgress } from "./claims.js";
import type { WorkerJob, WorkerToRunner } from "./worker-protocol.js";

export type WorkerOutcome =
  | { kind: "done"; weightsSha256: string; seconds: number }
  | { kind: "failed"; message: string; userError: boolean; stack: string | null }
  /** The process ended without a result: killed, crashed, out of memory. */
  | { kind: "died"; code: number | null; signal: NodeJS.Signals | null };

export interface WorkerHandle {
  pid: number | null;
  outcome: Promise<WorkerOutcome>;
  kill(signal?: NodeJS.Signals): void;
}

export interface WorkerHooks {
  onProgress(progress: RunProgress): void;
  onLog(line: string): void;
}

export function startWorker(
  job: WorkerJob,
  env: Record<string, string>,
  hooks: WorkerHooks,
): WorkerHandle {
  const entry = entryBeside(import.meta.url, "./worker");
  const child: ChildProcess = fork(entry.path, [], {
    execArgv: entry.execArgv,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    serialization: "json",
  });
  forwardLines(child.stdout!, hooks.onLog);
  forwardLines(child.stderr!, hooks.onLog);
  let result: WorkerOutcome | null = null;
  child.on("message", (message: WorkerToRunner) => {
    if (message.type === "progress") hooks.onProgress(message.progress);
    else if (message.type === "log") hooks.onLog(message.line);
    else if (message.type === "done")
      result = { kind: "done", weightsSha256: message.weightsSha256, seconds: message.seconds };
    else if (message.type === "failed") {
      result = {
        kind: "failed",
        message: message.message,
        userError: message.userError,
        stack: message.stack,
      };
    }
  });
  const outcome = new Promise<WorkerOutcome>((resolve) => {
    child.on("error", (error) => {
      result ??= {
        kind: "failed",
        message: `worker: ${error.message}`,
        userError: false,
        stack: null,
      };
    });
    child.on("close", (code, signal) => resolve(result ?? { kind: "died", code, signal }));
  });
  child.send({ type: "start", job });
  return {
    pid: child.pid ?? null,
    outcome,
    kill: (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/**
 * Starting a worker process for one run and following it to its end. The worker entry is
 * the compiled worker.js next to this file; when this file runs from TypeScript (tests,
 * `tsx`), the worker is worker.ts, loaded through tsx (resolved from here, not from the
 * working folder, so any working folder will do).
 */
import { type ChildProcess, fork } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
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

function workerEntry(): { path: string; execArgv: string[] } {
  const compiled = fileURLToPath(new URL("./worker.js", import.meta.url));
  if (import.meta.url.endsWith(".js") && existsSync(compiled))
    return { path: compiled, execArgv: [] };
  return {
    path: fileURLToPath(new URL("./worker.ts", import.meta.url)),
    execArgv: ["--import", import.meta.resolve("tsx")],
  };
}

/** Splits a stream into lines for the log hook. */
function forwardLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void) {
  if (stream === null) return;
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

export function startWorker(
  job: WorkerJob,
  env: Record<string, string>,
  hooks: WorkerHooks,
): WorkerHandle {
  const entry = workerEntry();
  const child: ChildProcess = fork(entry.path, [], {
    execArgv: entry.execArgv,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    serialization: "json",
  });
  forwardLines(child.stdout, hooks.onLog);
  forwardLines(child.stderr, hooks.onLog);
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

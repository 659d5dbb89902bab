/**
 * A worker process: trains one run and exits. The runner forks one per run, so process-wide
 * state (thread pools, deterministic-kernel switches, CUBLAS_WORKSPACE_CONFIG, which cuBLAS
 * reads once) is always set up fresh for the run's own settings.
 */
import { isUserError } from "../errors.js";
import type { RunProgress } from "./claims.js";
import type { RunnerToWorker, TrainerRef, WorkerJob, WorkerToRunner } from "./worker-protocol.js";

type TrainFunction = (options: {
  config: WorkerJob["entry"]["config"];
  outDir: string;
  replicate: number;
  pool?: WorkerJob["entry"]["pool"] | null;
  resume?: boolean;
  onProgress?: (progress: RunProgress) => void;
  log?: (line: string) => void;
}) => Promise<{ status: "complete"; weightsSha256: string; seconds: number }>;

// trainRun, spread over config.worldSize local processes when the run asks for several.
const DEFAULT_TRAINER: TrainerRef = {
  module: new URL("../train/spread-run.js", import.meta.url).href,
  exportName: "trainRunSpread",
};

/** Progress goes to the runner at most this often; the runner forwards it to the claim. */
const PROGRESS_INTERVAL_MS = 250;

function send(message: WorkerToRunner): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected || process.send === undefined) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

/** A worker whose runner has gone must not go on writing a run another runner may resume. */
function exitIfOrphaned(): void {
  if (!process.connected) process.exit(1);
}

async function loadTrainer(ref: TrainerRef): Promise<TrainFunction> {
  const module = (await import(ref.module)) as Record<string, unknown>;
  const train = module[ref.exportName];
  if (typeof train !== "function") {
    throw new Error(`${ref.module} does not export a function '${ref.exportName}'`);
  }
  return train as TrainFunction;
}

async function runJob(job: WorkerJob): Promise<void> {
  let lastProgressAt = 0;
  try {
    // CUBLAS_WORKSPACE_CONFIG must be set before cuBLAS starts, i.e. before the trainer loads.
    if (job.entry.config.deterministic.impl) process.env.CUBLAS_WORKSPACE_CONFIG ??= ":4096:8";
    const train = await loadTrainer(job.trainer ?? DEFAULT_TRAINER);
    const result = await train({
      config: job.entry.config,
      outDir: job.outDir,
      replicate: job.entry.replicate,
      pool: job.entry.pool ?? null,
      resume: job.resume,
      onProgress: (progress) => {
        exitIfOrphaned();
        const now = Date.now();
        const last = progress.batch >= progress.batchesPerEpoch;
        if (!last && now - lastProgressAt < PROGRESS_INTERVAL_MS) return;
        lastProgressAt = now;
        void send({ type: "progress", progress: { ...progress } });
      },
      log: (line) => void send({ type: "log", line }),
    });
    await send({ type: "done", weightsSha256: result.weightsSha256, seconds: result.seconds });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const stack = error instanceof Error ? (error.stack ?? null) : null;
    await send({ type: "failed", message, userError: isUserError(error), stack });
  }
}

process.on("disconnect", () => process.exit(1));
// Ctrl-C reaches the whole process group; the runner decides how its workers stop.
process.on("SIGINT", () => {});
process.once("message", (message: RunnerToWorker) => {
  if (message.type !== "start") return;
  void runJob(message.job).then(() => process.exit(0));
});

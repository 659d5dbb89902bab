/**
 * A run with config.worldSize > 1 started through the library rather than a launcher (the
 * experiment runner's workers): this process becomes rank 0, starts ranks 1..N-1 on this
 * machine (rank-process.ts, rendezvous on the loopback at a free port), and stops them if the
 * run fails. A run of one process goes straight to trainRun. Inside a Slurm array task that
 * holds several Slurm tasks, every run is started as a job step instead (step-run.ts).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { freePort } from "../distributed/local-launch.js";
import { parentEnvironment } from "../distributed/parent-watch.js";
import { ProcessGroup } from "../distributed/process-group.js";
import { stepAllocation } from "../distributed/slurm-steps.js";
import { DEFAULT_DIST_TIMEOUT_S } from "../distributed/train-launch.js";
import { type TrainRunOptions, type TrainRunResult, trainRun } from "./run.js";
import { trainRunAsSteps } from "./step-run.js";

/** Rank 0's progress lines on its stdout, when a job step's ranks report through srun. */
export const PROGRESS_PREFIX = "nnr-progress ";

export interface RankJob {
  config: TrainRunOptions["config"];
  outDir: string;
  replicate: number;
  pool: TrainRunOptions["pool"];
  resume: boolean;
  timeoutMs: number;
  /** Rank 0 prints its progress on stdout (PROGRESS_PREFIX + JSON), for srun to forward. */
  progressOnStdout?: boolean;
}

/** What every rank of the run is handed (rank-process.ts), however it is started. */
export function rankJobOf(options: TrainRunOptions, extra: Partial<RankJob> = {}): RankJob {
  return {
    config: options.config,
    outDir: options.outDir,
    replicate: options.replicate,
    pool: options.pool ?? null,
    resume: options.resume ?? false,
    timeoutMs: DEFAULT_DIST_TIMEOUT_S * 1000,
    ...extra,
  };
}

export function rankEntry(): { path: string; execArgv: string[] } {
  const compiled = fileURLToPath(new URL("./rank-process.js", import.meta.url));
  if (import.meta.url.endsWith(".js") && existsSync(compiled))
    return { path: compiled, execArgv: [] };
  return {
    path: fileURLToPath(new URL("./rank-process.ts", import.meta.url)),
    execArgv: ["--import", import.meta.resolve("tsx")],
  };
}

export async function trainRunSpread(options: TrainRunOptions): Promise<TrainRunResult> {
  const allocation = options.group ? null : stepAllocation();
  if (allocation !== null) return trainRunAsSteps(options, allocation);
  const worldSize = options.config.worldSize ?? 1;
  if (worldSize === 1 || options.group) return trainRun(options);
  const port = await freePort();
  const job = rankJobOf(options);
  const entry = rankEntry();
  const log = options.log ?? (() => {});
  const helpers: ChildProcess[] = [];
  for (let rank = 1; rank < worldSize; rank++) {
    const child = spawn(process.execPath, [...entry.execArgv, entry.path, JSON.stringify(job)], {
      env: {
        ...process.env,
        RANK: String(rank),
        WORLD_SIZE: String(worldSize),
        LOCAL_RANK: String(rank),
        MASTER_ADDR: "127.0.0.1",
        MASTER_PORT: String(port),
        ...parentEnvironment(),
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) if (line.trim() !== "") log(line);
    });
    helpers.push(child);
  }
  const exited = helpers.map(
    (child) => new Promise<void>((resolve) => child.once("exit", () => resolve())),
  );
  let group: ProcessGroup | null = null;
  try {
    group = ProcessGroup.join({
      masterAddr: "127.0.0.1",
      masterPort: port,
      rank: 0,
      worldSize,
      timeoutMs: job.timeoutMs,
      device: "hostname:127.0.0.1",
    });
    const result = await trainRun({ ...options, group });
    await Promise.all(exited);
    return result;
  } catch (error) {
    for (const child of helpers) if (child.exitCode === null) child.kill("SIGTERM");
    await Promise.all(exited);
    throw error;
  } finally {
    group?.destroy();
  }
}

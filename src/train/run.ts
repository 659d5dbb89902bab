/**
 * One training run, start to finish, as the original's training scripts do it: seeds drawn or
 * fixed per noise source and recorded, predictions and checkpoints at the original's epochs,
 * and a resume checkpoint after every epoch so a killed run continues bit-identically.
 */
import { mkdirSync } from "node:fs";
import { DataParallel } from "../distributed/data-parallel.js";
import type { ProcessGroup } from "../distributed/process-group.js";
import type { RunPool } from "../run-folder/pool.js";
import type { RunConfig } from "./config.js";
import type { EpochProgress } from "./epoch.js";
import { newRunRecord } from "./new-record.js";
import type { RunRecord } from "./record.js";
import type { ReplayOrigin } from "./replay-origin.js";
import { writeRunRecord, writeTestLabels } from "./run-folder.js";
import { runEpochs } from "./run-loop.js";
import { resumeFromCheckpoint, runLoader, setUpRun } from "./run-setup.js";
import { checkProcesses, decideStart } from "./run-start.js";
import type { RunSeeds } from "./seeds.js";

export interface TrainRunOptions {
  config: RunConfig;
  outDir: string;
  replicate: number;
  /** Continue the run in outDir (or return at once if it is complete). */
  resume?: boolean;
  /** Replay: use these seeds instead of drawing new ones. */
  seeds?: RunSeeds;
  /** The pool this run is a member of (e.g. the tooling study), if any. */
  pool?: RunPool | null;
  /** Replay: the run it repeats and what it changed, recorded in run.json. */
  replayOf?: ReplayOrigin;
  onProgress?: (progress: EpochProgress) => void;
  log?: (line: string) => void;
  /**
   * This process's group when the run spans several processes. Rank 0 decides the start
   * (seeds, resume point) and alone writes the run folder; a resume reads the folder's
   * checkpoint on every rank (a shared filesystem across machines).
   */
  group?: ProcessGroup | null;
}

export interface TrainRunResult {
  status: "complete";
  weightsSha256: string;
  seconds: number;
  record: RunRecord;
}

/**
 * Trains one run: the start (new, resumed or already complete), the set-up, the resume point,
 * the record, the epochs.
 */
export async function trainRun(options: TrainRunOptions): Promise<TrainRunResult> {
  const { outDir } = options;
  const group = options.group ?? null;
  const leader = group === null || group.isLeader;
  const log = leader ? (options.log ?? (() => {})) : () => {};
  const { previous, config, seeds } = decideStart(options, group);
  if (previous?.status === "complete") return resultOf(previous);
  checkProcesses(config, outDir, group);
  const setup = await setUpRun(config, seeds, group, log);
  // After the data: a dataset refused leaves no folder behind.
  if (leader) mkdirSync(outDir, { recursive: true });
  const resumed = resumeFromCheckpoint(setup, previous !== null, outDir, group, log);
  const dataParallel =
    group === null
      ? null
      : new DataParallel(group, setup.model, { syncBatchNorm: config.syncBatchNorm ?? false });
  dataParallel?.syncInitialState();
  const loader = runLoader(setup, resumed);
  const record: RunRecord =
    previous ??
    newRunRecord({
      config,
      seeds,
      replicate: options.replicate,
      pool: options.pool ?? null,
      ...(options.replayOf === undefined ? {} : { replayOf: options.replayOf }),
      setup,
      loader,
      dataParallel,
    });
  record.status = "running";
  delete record.error;
  if (leader) {
    writeRunRecord(outDir, record);
    writeTestLabels(outDir, setup.data.test);
  }
  const done = await runEpochs({
    outDir,
    record,
    setup,
    loader,
    resumed,
    dataParallel,
    group,
    onProgress: options.onProgress,
    log,
  });
  return resultOf(done);
}

function resultOf(record: RunRecord): TrainRunResult {
  return {
    status: "complete",
    weightsSha256: record.weightsSha256!,
    seconds: record.seconds,
    record,
  };
}

/** The run.json of a run that starts now: its config, seeds, task, engine and data. */
import { type DataLoader, datasetRecord } from "../data/loader.js";
import type { DataParallel } from "../distributed/data-parallel.js";
import { engineInfo } from "../engine/index.js";
import { CURRENT_RUN_FORMAT } from "../run-folder/files.js";
import type { RunPool } from "../run-folder/pool.js";
import { NNR_VERSION } from "../version.js";
import type { RunConfig } from "./config.js";
import { runGroupName } from "./pool.js";
import type { RunRecord } from "./record.js";
import type { ReplayOrigin } from "./replay-origin.js";
import type { RunSetup } from "./run-setup.js";
import type { RunSeeds } from "./seeds.js";

const CPU_IMPL_NOTE =
  "impl noise is off in effect: on CPU at a fixed thread count libtorch's kernels are deterministic; vary the tooling (threads, memory format, device) to see implementation noise";

export interface NewRun {
  config: RunConfig;
  seeds: RunSeeds;
  replicate: number;
  pool: RunPool | null;
  /** A replay's origin (train/replay-origin.ts); absent on a run that is not a replay. */
  replayOf?: ReplayOrigin;
  setup: RunSetup;
  loader: DataLoader;
  dataParallel: DataParallel | null;
}

export function newRunRecord(run: NewRun): RunRecord {
  const { config, setup, dataParallel } = run;
  const test = setup.data.test;
  return {
    format: CURRENT_RUN_FORMAT,
    status: "running",
    group: runGroupName(config, run.pool),
    replicate: run.replicate,
    config,
    pool: run.pool,
    seeds: run.seeds,
    task: {
      kind: test.kind,
      classes: setup.classes,
      classNames: test.classNames,
      testExamples: test.length,
    },
    engine: engineInfo(),
    data: {
      train: run.loader.describe(),
      test: datasetRecord(test),
    },
    nnr: { version: NNR_VERSION },
    perturbation: setup.perturbation,
    notes: [
      ...(config.device === "cpu" && !config.deterministic.impl ? [CPU_IMPL_NOTE] : []),
      ...setup.modelNotes,
    ],
    epochsDone: 0,
    predictions: {},
    checkpoints: {},
    startedAt: new Date().toISOString(),
    seconds: 0,
    ...(dataParallel === null ? {} : { distributed: dataParallel.record() }),
    ...(run.replayOf === undefined ? {} : { replayOf: run.replayOf }),
  };
}

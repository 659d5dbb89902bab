import type { LoaderRecord } from "../data/loader.js";
import type { EngineInfo } from "../engine/index.js";
import type { RunPool } from "../run-folder/pool.js";
import type { RunConfig } from "./config.js";
import type { RunSeeds } from "./seeds.js";

export type RunRecordFormat = "nnr-run/1" | "nnr-run/2";
export const RUN_RECORD_FORMAT: RunRecordFormat = "nnr-run/2";

/** log.csv's epoch for the state after `epochsCompleted` epochs, as a record's format writes it. */
export function logEpochFor(format: RunRecordFormat, epochsCompleted: number): number {
  return format === "nnr-run/1" ? epochsCompleted - 1 : epochsCompleted;
}

/** run.json: what a run was, and where it stands. */
export interface RunRecord {
  /**
   * nnr-run/2: every file and log.csv row counts epochs completed (pred10.txt and log.csv's
   * epoch 10 are the same moment). nnr-run/1 wrote log.csv's epoch from 0 (Keras's index)
   * beside 1-based pred/ckpt names; it is still read, and a resumed v1 run keeps v1.
   */
  format: RunRecordFormat;
  status: "running" | "complete" | "failed";
  group: string;
  replicate: number;
  config: RunConfig;
  /** Set when the run is one member of a pool analysed as one group (e.g. tooling). */
  pool: RunPool | null;
  seeds: RunSeeds;
  task: {
    kind: "multiclass" | "multilabel";
    classes: number;
    classNames: string[];
    testExamples: number;
  };
  engine: EngineInfo;
  data: { train: LoaderRecord; test: LoaderRecord["dataset"] };
  nnr: { version: string };
  /** Set by --perturb-init-ulp: which initial weight had its last bit flipped. */
  perturbation: { parameter: string; index: number } | null;
  /** Facts a reader should know, e.g. why IMPL noise is absent on CPU. */
  notes: string[];
  epochsDone: number;
  predictions: Record<string, string>;
  checkpoints: Record<string, string>;
  weightsSha256?: string;
  error?: string;
  startedAt: string;
  finishedAt?: string;
  /** Training time, summed over resumed sessions. */
  seconds: number;
}

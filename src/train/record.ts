import type { LoaderRecord } from "../data/loader.js";
import type { DistributedRecord } from "../distributed/data-parallel.js";
import type { EngineInfo } from "../engine/index.js";
import type { RunFormat } from "../run-folder/files.js";
import type { RunPool } from "../run-folder/pool.js";
import type { RunConfig } from "./config.js";
import type { RunSeeds } from "./seeds.js";

/** run.json: what a run was, and where it stands. */
export interface RunRecord {
  /** Which numbering the folder uses (src/run-folder/files.ts). */
  format: RunFormat;
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
  /** Set when the run spanned several processes: world size, backend, bucket layout. */
  distributed?: DistributedRecord;
}

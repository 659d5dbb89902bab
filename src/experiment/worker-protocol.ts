/** Messages between the runner and a worker process (one worker process per run). */
import type { RunProgress } from "./claims.js";
import type { PlanEntry } from "./plan.js";

/** The function a worker calls to train a run: a module and the name it exports. */
export interface TrainerRef {
  /** An absolute path or file URL; default: the real trainer (src/train/run). */
  module: string;
  exportName: string;
}

export interface WorkerJob {
  entry: PlanEntry;
  /** The run folder, `DIR/runs/<id>`. */
  outDir: string;
  /** Continue an interrupted run from its last complete epoch. */
  resume: boolean;
  trainer: TrainerRef | null;
}

export type RunnerToWorker = { type: "start"; job: WorkerJob };

export type WorkerToRunner =
  | { type: "progress"; progress: RunProgress }
  | { type: "log"; line: string }
  | { type: "done"; weightsSha256: string; seconds: number }
  | { type: "failed"; message: string; userError: boolean; stack: string | null };

/**
 * The names in a run folder and the formats of its run.json (docs/run-folder.md): training
 * writes them, the analysis, the runner and the report read them.
 */

export const RUN_JSON = "run.json";
export const LOG_CSV = "log.csv";
export const TEST_LABELS = "test-labels.txt";
export const RESUME_CHECKPOINT = "resume.safetensors";

/**
 * nnr-run/2: every file and log.csv row counts epochs completed (pred10.txt and log.csv's
 * epoch 10 are the same moment). nnr-run/1 wrote log.csv's epoch from 0 (Keras's index)
 * beside 1-based pred/ckpt names; it is still read, and a resumed v1 run keeps v1.
 */
export type RunFormat = "nnr-run/1" | "nnr-run/2";
export const CURRENT_RUN_FORMAT: RunFormat = "nnr-run/2";
export const RUN_FORMAT_PREFIX = "nnr-run/";

/** The predictions saved after an epoch: one line per test example. */
export const predictionFile = (epoch: number): string => `pred${epoch}.txt`;
/** The class probabilities saved beside them (optional). */
export const probabilitiesFile = (epoch: number): string => `probs${epoch}.npy`;
/** The weights saved after an epoch. */
export const checkpointFile = (epoch: number): string => `ckpt${epoch}.safetensors`;

/** log.csv's epoch for the state after `epochsCompleted` epochs, as a format writes it. */
export function logEpochFor(format: RunFormat, epochsCompleted: number): number {
  return format === "nnr-run/1" ? epochsCompleted - 1 : epochsCompleted;
}

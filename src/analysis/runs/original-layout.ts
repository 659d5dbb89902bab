import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { TEST_LABELS } from "../../run-folder/files.js";
import { epochFiles } from "./files.js";
import { canonicalSetting, type RunFolder } from "./types.js";

/**
 * `logs_{model}_{dataset}_{setting}_{replicate}`, or with BatchNorm
 * `logs_{model}_{dataset}_{setting}__bn{replicate}`. The model may itself contain
 * underscores; dataset and setting may not.
 */
const ORIGINAL_NAME =
  /^logs_(.+)_([^_]+)_(default|algoimpl|algo|impl|control)(?:_(\d+)|__bn(\d+))$/i;

export function isOriginalRunName(name: string): boolean {
  return ORIGINAL_NAME.test(name);
}

/**
 * Reads a run folder of the original code. It has no labels and no record: labels come
 * from `labelsFile` (a test-labels.txt in the folder, or the one given to the analysis).
 */
export function readOriginalRunFolder(dir: string, sharedLabelsFile?: string): RunFolder {
  const match = ORIGINAL_NAME.exec(basename(dir));
  if (!match) throw new Error(`${dir}: not named logs_{model}_{dataset}_{setting}_{replicate}`);
  const [, model, dataset, rawSetting, plainReplicate, bnReplicate] = match as unknown as [
    string,
    string,
    string,
    string,
    string | undefined,
    string | undefined,
  ];
  const batchNorm = bnReplicate !== undefined;
  const setting = canonicalSetting(rawSetting);
  const family = `${model}_${dataset}${batchNorm ? "_bn" : ""}`;
  const ownLabels = join(dir, TEST_LABELS);
  const logFile = join(dir, "log.csv");
  return {
    dir,
    layout: "original",
    descriptor: {
      model,
      dataset,
      setting,
      batchNorm,
      familyKey: `original:${family}`,
      groupKey: `original:${family}:${setting}`,
      label: `${model}_${dataset}_${setting}${batchNorm ? "_bn" : ""}`,
    },
    replicate: (plainReplicate ?? bnReplicate)!,
    membership: undefined,
    status: "unknown",
    kind: undefined,
    classes: undefined,
    classNames: undefined,
    testExamples: undefined,
    // Keras's ModelCheckpoint and the original's pred{epoch}.txt use the 0-based epoch index
    // (pred9.txt … pred199.txt for 200 epochs), as does CSVLogger's epoch column: the numbers
    // are kept as they are, so the final epoch is the largest one and its log row has its number.
    predictionFiles: epochFiles(dir, "pred", ".txt"),
    checkpointFiles: epochFiles(dir, "ckpt", ".h5"),
    labelsFile: existsSync(ownLabels) ? ownLabels : sharedLabelsFile,
    logFile: existsSync(logFile) ? logFile : undefined,
    logEpochShift: 0,
    epochBase: 0,
    finalWeightsSha256: undefined,
    finalEpoch: undefined,
    context: {},
  };
}

/**
 * The files of a run folder (docs/run-folder.md). Everything is written atomically, so a
 * reader (the analysis, a runner checking status) never sees half a file.
 */
import { join } from "node:path";
import { RunRecordError, readRunRecordFile } from "../contract/run-record.js";
import type { Dataset } from "../data/types.js";
import { UserError } from "../errors.js";
import { writeFileAtomicSync } from "../io/atomic.js";
import { writeNpy } from "../io/npy.js";
import {
  LOG_CSV,
  predictionFile,
  probabilitiesFile,
  RUN_JSON,
  TEST_LABELS,
} from "../run-folder/files.js";
import type { Evaluation } from "./evaluate.js";
import type { RunRecord } from "./record.js";

/**
 * The run.json in `dir`, checked by the contract's reader and taken as training wrote it;
 * null where there is none, a one-line UserError naming the file where it is unusable.
 */
export function readRunRecord(dir: string): RunRecord | null {
  try {
    return readRunRecordFile(join(dir, RUN_JSON)) as RunRecord | null;
  } catch (error) {
    if (error instanceof RunRecordError) throw new UserError(error.message);
    throw error;
  }
}

export function writeRunRecord(dir: string, record: RunRecord): void {
  writeFileAtomicSync(join(dir, RUN_JSON), `${JSON.stringify(record, null, 2)}\n`);
}

/** One row of log.csv: Keras CSVLogger's columns, `epoch` first, the rest sorted by name. */
export type LogRow = Record<string, number>;

export function writeLogCsv(dir: string, rows: readonly LogRow[]): void {
  if (rows.length === 0) return;
  const columns = [
    "epoch",
    ...Object.keys(rows[0]!)
      .filter((k) => k !== "epoch")
      .sort(),
  ];
  const lines = [
    columns.join(","),
    ...rows.map((row) => columns.map((c) => String(row[c])).join(",")),
  ];
  writeFileAtomicSync(join(dir, LOG_CSV), `${lines.join("\n")}\n`);
}

/** One example per line: the class index, or the 0/1 attributes separated by spaces. */
function formatPerExample(values: Int32Array | Uint8Array, perExample: number): string {
  if (perExample === 1) return `${Array.from(values).join("\n")}\n`;
  const lines: string[] = [];
  for (let i = 0; i < values.length; i += perExample)
    lines.push(Array.from(values.subarray(i, i + perExample)).join(" "));
  return `${lines.join("\n")}\n`;
}

export function writeTestLabels(dir: string, test: Dataset): void {
  const perExample = test.kind === "multiclass" ? 1 : test.classNames.length;
  writeFileAtomicSync(join(dir, TEST_LABELS), formatPerExample(test.labels, perExample));
}

/** pred{epoch}.txt and (unless left out) probs{epoch}.npy; returns the prediction file's name. */
export function writePredictions(
  dir: string,
  epoch: number,
  evaluation: Evaluation,
  options: { classes: number; multilabel: boolean; probabilities: boolean },
): string {
  const { classes, multilabel } = options;
  const name = predictionFile(epoch);
  writeFileAtomicSync(
    join(dir, name),
    formatPerExample(evaluation.predictions, multilabel ? classes : 1),
  );
  if (options.probabilities) {
    writeNpy(join(dir, probabilitiesFile(epoch)), evaluation.probabilities, [
      evaluation.probabilities.length / classes,
      classes,
    ]);
  }
  return name;
}

import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeSafetensors } from "../../src/io/safetensors.js";

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `nnr-${prefix}-`));
}

type Rows = readonly (number | readonly number[])[];

const rowsText = (rows: Rows) =>
  `${rows.map((row) => (typeof row === "number" ? String(row) : row.join(" "))).join("\n")}\n`;

export interface NnrRunSpec {
  model?: string;
  dataset?: string;
  setting: string;
  replicate: number;
  labels: Rows;
  /** epoch -> predictions */
  predictions: Record<number, Rows>;
  classes?: number;
  classNames?: string[];
  kind?: "multiclass" | "multilabel";
  /** epoch -> flattened weights, written as one F32 tensor (plus a BN buffer L2 ignores). */
  checkpoints?: Record<number, number[]>;
  weightsSha256?: string;
  status?: string;
  /** More config fields (threads, memoryFormat, ...). */
  config?: Record<string, unknown>;
  /** Makes the run a member of a pool (e.g. the tooling study). */
  pool?: { name: string; variant: string; reference: Record<string, unknown> };
  /** Training seconds, as run.json records them. */
  seconds?: number;
}

/** Writes one run folder in our format (docs/run-folder.md) and returns its path. */
export function writeNnrRun(root: string, spec: NnrRunSpec): string {
  const model = spec.model ?? "smallcnn";
  const dataset = spec.dataset ?? "toy";
  const group = `${model}_${dataset}_${spec.pool?.name ?? spec.setting}`;
  const dir = join(root, group, `r${spec.replicate}`);
  mkdirSync(dir, { recursive: true });
  const epochs = Object.keys(spec.predictions).map(Number);
  const predictions: Record<string, string> = {};
  for (const [epoch, rows] of Object.entries(spec.predictions)) {
    writeFileSync(join(dir, `pred${epoch}.txt`), rowsText(rows));
    predictions[epoch] = `pred${epoch}.txt`;
  }
  const checkpoints: Record<string, string> = {};
  for (const [epoch, weights] of Object.entries(spec.checkpoints ?? {})) {
    writeSafetensors(join(dir, `ckpt${epoch}.safetensors`), {
      "fc.weight": { dtype: "F32", shape: [weights.length], data: Float32Array.from(weights) },
      "bn.running_mean": { dtype: "F32", shape: [1], data: Float32Array.from([spec.replicate]) },
    });
    checkpoints[epoch] = `ckpt${epoch}.safetensors`;
  }
  writeFileSync(join(dir, "test-labels.txt"), rowsText(spec.labels));
  const record = {
    format: "nnr-run/1",
    status: spec.status ?? "complete",
    group,
    replicate: spec.replicate,
    config: {
      model,
      dataset,
      setting: spec.setting,
      batchNorm: false,
      epochs: 2,
      ...spec.config,
    },
    pool: spec.pool ?? null,
    seeds: { init: spec.replicate, input: spec.replicate },
    task: {
      kind: spec.kind ?? "multiclass",
      classes: spec.classes ?? 3,
      classNames: spec.classNames,
      testExamples: spec.labels.length,
    },
    epochsDone: Math.max(...epochs),
    predictions,
    checkpoints,
    weightsSha256: spec.weightsSha256,
    ...(spec.seconds === undefined ? {} : { seconds: spec.seconds }),
  };
  writeFileSync(join(dir, "run.json"), JSON.stringify(record, null, 2));
  return dir;
}

/**
 * Writes one run folder in the original's layout: log.csv and pred{epoch}.txt only, both
 * numbered with Keras's 0-based epoch index as the original's are (pred199 after 200 epochs).
 */
export function writeOriginalRun(
  root: string,
  name: string,
  predictions: Record<number, Rows>,
  valAccuracy: Record<number, number> = {},
): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  for (const [epoch, rows] of Object.entries(predictions)) {
    writeFileSync(join(dir, `pred${epoch}.txt`), rowsText(rows));
  }
  const lines = ["epoch,accuracy,loss,lr,val_accuracy,val_loss"];
  for (const [epoch, accuracy] of Object.entries(valAccuracy)) {
    lines.push(`${epoch},0.9,0.3,0.0004,${accuracy},0.5`);
  }
  writeFileSync(join(dir, "log.csv"), `${lines.join("\n")}\n`);
  return dir;
}

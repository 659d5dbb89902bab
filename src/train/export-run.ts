/**
 * `nnr export RUN --onnx out.onnx`: a finished run's model as an inference-ready ONNX file with
 * its trained weights. A run of an imported .onnx model gives the original graph with the trained
 * initializers (onnx/write-model.ts), provided the file is still the one run.json recorded; a
 * SmallCNN run gives SmallCNN's graph (onnx/zoo-graph.ts). Everything is checked before the file
 * is written, atomically, so a refusal leaves nothing behind.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { UserError } from "../errors.js";
import { writeFileAtomicSync } from "../io/atomic.js";
import { printable } from "../io/errors.js";
import { type NamedTensor, readSafetensors } from "../io/safetensors.js";
import {
  EXPORTABLE_ZOO_MODELS,
  type TrainedTensor,
  trainedModelBytes,
  zooModelBytes,
} from "../onnx/index.js";
import { RUN_JSON } from "../run-folder/files.js";
import { isOnnxModelPath } from "./imported-model.js";
import type { RunRecord } from "./record.js";
import { readRunRecord } from "./run-folder.js";

export interface ExportOptions {
  /** Replace an existing file at the output path. */
  readonly force?: boolean;
}

export interface ExportResult {
  readonly runDir: string;
  readonly checkpoint: string;
  readonly out: string;
  readonly bytes: number;
}

/** Exports the run in `run` (its folder or its run.json) to `out`. */
export function exportRun(run: string, out: string, options: ExportOptions = {}): ExportResult {
  const runDir = runFolderOf(run);
  const record = finishedRecord(runDir);
  checkOutPath(out, options.force === true);
  const checkpoint = join(runDir, finalCheckpoint(runDir, record));
  const weights = trainedWeights(checkpoint);
  const bytes = modelBytes(record, weights, runDir);
  try {
    writeFileAtomicSync(out, bytes);
  } catch (error) {
    throw unwritable(out, error);
  }
  return { runDir, checkpoint, out, bytes: bytes.length };
}

function runFolderOf(run: string): string {
  const dir = basename(run) === RUN_JSON ? dirname(run) : run;
  if (!existsSync(join(dir, RUN_JSON))) {
    throw new UserError(
      `${run}: not a run folder (no ${RUN_JSON}); give the folder nnr train --out wrote, or its run.json`,
    );
  }
  return dir;
}

function finishedRecord(runDir: string): RunRecord {
  const record = readRunRecord(runDir)!;
  if (record.status !== "complete") {
    throw new UserError(
      `${runDir}: the run is ${record.status} (${record.epochsDone ?? 0} of ${record.config.epochs ?? "?"} epochs), without final weights; finish it (nnr train --resume ${runDir}) and export it then`,
    );
  }
  return record;
}

/**
 * The weights saved after the last epoch: the highest-numbered checkpoint, a file of the run's
 * own folder (run.json names it; a name with a path in it is not one nnr wrote).
 */
function finalCheckpoint(runDir: string, record: RunRecord): string {
  const epochs = Object.keys(record.checkpoints ?? {}).map(Number);
  const last = epochs.length === 0 ? undefined : record.checkpoints[String(Math.max(...epochs))];
  if (last !== undefined && basename(last) !== last) {
    throw new UserError(
      `${runDir}: run.json names the checkpoint '${printable(last)}', not a file of the run's folder; the record is damaged`,
    );
  }
  if (last === undefined || !existsSync(join(runDir, last))) {
    throw new UserError(
      `${runDir}: the run's final weights (${last ?? "no checkpoint in run.json"}) are missing; train it again`,
    );
  }
  return last;
}

function checkOutPath(out: string, force: boolean): void {
  if (existsSync(out)) {
    if (statSync(out).isDirectory()) {
      throw new UserError(`--onnx ${out}: a folder; give the path of the .onnx file to write`);
    }
    if (!force) throw new UserError(`--onnx ${out}: the file exists; pass --force to replace it`);
  }
  const parent = dirname(out);
  if (!existsSync(parent) || !statSync(parent).isDirectory()) {
    throw new UserError(`--onnx ${out}: no folder ${parent}; create it or write elsewhere`);
  }
}

function unwritable(out: string, error: unknown): UserError {
  const reason = (error as NodeJS.ErrnoException).code ?? String(error);
  return new UserError(`--onnx ${out}: cannot write the file (${reason}); write elsewhere`);
}

/** The checkpoint's float32 tensors by name; integer buffers (num_batches_tracked) left out. */
function trainedWeights(checkpoint: string): Map<string, TrainedTensor> {
  const file = readSafetensors(checkpoint);
  const weights = new Map<string, TrainedTensor>();
  for (const [name, entry] of file.tensors) {
    if (isFloat32(entry)) weights.set(name, { dims: entry.shape, data: entry.data });
  }
  return weights;
}

function isFloat32(entry: NamedTensor): entry is NamedTensor & { data: Float32Array } {
  return entry.dtype === "F32";
}

function modelBytes(
  record: RunRecord,
  weights: Map<string, TrainedTensor>,
  runDir: string,
): Uint8Array {
  const { model, modelSha256 } = record.config;
  if (isOnnxModelPath(model)) {
    const bytes = modelFileOf(model, runDir);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    if (modelSha256 !== undefined && sha256 !== modelSha256) {
      throw new UserError(
        `${model}: the file has changed since ${runDir} was trained (SHA-256 ${sha256.slice(0, 12)}…, recorded ${modelSha256.slice(0, 12)}…); put back the file the run recorded`,
      );
    }
    return trainedModelBytes(bytes, model, weights);
  }
  if (!EXPORTABLE_ZOO_MODELS.includes(model)) {
    throw new UserError(
      `${runDir}: nnr exports runs of imported .onnx models and of ${EXPORTABLE_ZOO_MODELS.join(", ")}, not of ${model}`,
    );
  }
  return zooModelBytes({ model, batchNorm: record.config.batchNorm === true, weights });
}

/** The model file run.json names, as a path from here (training read it from where it ran). */
function modelFileOf(model: string, runDir: string): Buffer {
  try {
    return readFileSync(model);
  } catch {
    throw new UserError(
      `${model}: no such model file, which ${runDir} was trained from; run nnr export from the folder nnr train ran in, or put the file back`,
    );
  }
}

/**
 * The epochs of a run: train one, then (rank 0) evaluate, log, save predictions and weights
 * at the chosen epochs and the resume point, and rewrite run.json; at the end the weights'
 * hash and "complete", or on an error "failed" with its message.
 */
import { rmSync } from "node:fs";
import { join } from "node:path";
import type { DataLoader } from "../data/loader.js";
import type { DataParallel } from "../distributed/data-parallel.js";
import { evaluationShare } from "../distributed/evaluation-share.js";
import type { ProcessGroup } from "../distributed/process-group.js";
import { saveTrainingCheckpoint, saveWeights } from "../nn/checkpoint.js";
import { checkpointFile, logEpochFor, RESUME_CHECKPOINT } from "../run-folder/files.js";
import { fileEpoch } from "./config.js";
import { evaluationTransforms } from "./data-setup.js";
import { type EpochContext, type EpochProgress, trainEpoch } from "./epoch.js";
import { evaluate } from "./evaluate.js";
import type { RunRecord } from "./record.js";
import { type LogRow, writeLogCsv, writePredictions, writeRunRecord } from "./run-folder.js";
import type { ResumeMetadata, RunSetup } from "./run-setup.js";
import { TraceRecorder } from "./trace.js";
import { stateDictSha256 } from "./weights-hash.js";

export interface RunLoop {
  outDir: string;
  record: RunRecord;
  setup: RunSetup;
  loader: DataLoader;
  resumed: ResumeMetadata | null;
  dataParallel: DataParallel | null;
  group: ProcessGroup | null;
  onProgress: ((progress: EpochProgress) => void) | undefined;
  log: (line: string) => void;
}

type Evaluation = Awaited<ReturnType<typeof evaluate>>;

/** Trains the remaining epochs; returns the complete record, or throws with it marked failed. */
export async function runEpochs(run: RunLoop): Promise<RunRecord> {
  const { outDir, record, setup, resumed, group } = run;
  const leader = group === null || group.isLeader;
  const config = record.config;
  const writeRecord = () => leader && writeRunRecord(outDir, record);
  const trace =
    config.trace && leader
      ? new TraceRecorder(outDir, setup.model, resumed?.traceBytes ?? null)
      : null;
  const context: EpochContext = {
    config,
    model: setup.model,
    optimizer: setup.optimizer,
    schedule: setup.schedule,
    loader: run.loader,
    multilabel: setup.multilabel,
    classes: setup.classes,
    onProgress: leader ? run.onProgress : undefined,
    trace,
    precision: setup.precision,
    dataParallel: run.dataParallel,
  };
  const evalTransforms = evaluationTransforms(config.transforms);
  // Every rank evaluates its share of the test batches; rank 0 gets them all.
  const share = run.dataParallel === null ? null : evaluationShare(run.dataParallel);
  const rows: LogRow[] = resumed?.rows ?? [];
  let globalStep = resumed?.globalStep ?? 0;
  try {
    for (let epoch = resumed?.epochsDone ?? 0; epoch < config.epochs; epoch++) {
      const started = performance.now();
      const trained = await trainEpoch(context, epoch, globalStep);
      globalStep = trained.globalStep;
      const { model, data, precision } = setup;
      const evaluation = await evaluate(
        model,
        data.test,
        evalTransforms,
        config.device,
        precision,
        share,
      );
      if (!leader) continue;
      const validation = validationColumns(evaluation, setup);
      recordEpoch(run, epoch + 1, { trained: trained.row, validation }, rows);
      saveEpochFiles(run, epoch + 1, evaluation);
      saveResumePoint(run, { epochsDone: epoch + 1, globalStep, rows, trace });
      record.epochsDone = epoch + 1;
      record.seconds += (performance.now() - started) / 1000;
      writeRecord();
      run.log(
        `epoch ${epoch + 1}/${config.epochs}: loss ${fmt(trained.row.loss)}, val accuracy ${fmt(evaluation.accuracy)}`,
      );
    }
    // Rank 0 may write "complete" only once every rank has finished its last step.
    group?.barrier();
    record.weightsSha256 = stateDictSha256(setup.model.stateDict());
    record.status = "complete";
    record.finishedAt = new Date().toISOString();
    writeRecord();
    // Only an unfinished run needs it; it holds the optimizer state too (3× the weights).
    if (leader) rmSync(join(outDir, RESUME_CHECKPOINT), { force: true });
    return record;
  } catch (error) {
    record.status = "failed";
    record.error = error instanceof Error ? error.message : String(error);
    writeRecord();
    throw error;
  } finally {
    setup.optimizer.dispose();
    setup.model.dispose();
  }
}

/** Appends the epoch's row to log.csv, numbered as the folder's layout and format number it. */
function recordEpoch(
  run: RunLoop,
  epochNumber: number,
  columns: { trained: LogRow; validation: LogRow },
  rows: LogRow[],
): void {
  const { config, format } = run.record;
  // The original's layout logs Keras's 0-based index; nnr's the count (nnr-run/2).
  const epoch =
    config.layout === "original"
      ? fileEpoch(config, epochNumber)
      : logEpochFor(format, epochNumber);
  rows.push({ ...columns.trained, epoch, ...columns.validation });
  writeLogCsv(run.outDir, rows);
}

/** Predictions (and probabilities) and weights after an epoch the config saves at. */
function saveEpochFiles(run: RunLoop, epochNumber: number, evaluation: Evaluation): void {
  const { record, setup, outDir } = run;
  const config = record.config;
  if (epochNumber !== config.epochs && !config.saveEpochs.includes(epochNumber)) return;
  const fileNumber = fileEpoch(config, epochNumber);
  record.predictions[fileNumber] = writePredictions(outDir, fileNumber, evaluation, {
    classes: setup.classes,
    multilabel: setup.multilabel,
    probabilities: config.layout !== "original",
  });
  const checkpoint = checkpointFile(fileNumber);
  saveWeights(join(outDir, checkpoint), setup.model, {
    epoch: String(fileNumber),
    group: record.group,
  });
  record.checkpoints[fileNumber] = checkpoint;
}

/** The resume checkpoint: weights, optimizer, generators, loader and log so far. */
function saveResumePoint(
  run: RunLoop,
  state: { epochsDone: number; globalStep: number; rows: LogRow[]; trace: TraceRecorder | null },
): void {
  const { setup } = run;
  const metadata: ResumeMetadata = {
    epochsDone: state.epochsDone,
    globalStep: state.globalStep,
    loader: run.loader.state(),
    rows: state.rows,
    traceBytes: state.trace?.flush() ?? null,
    scaler: setup.precision.scaler?.state() ?? null,
  };
  saveTrainingCheckpoint(
    join(run.outDir, RESUME_CHECKPOINT),
    { model: setup.model, optimizer: setup.optimizer, generators: setup.generators },
    metadata as unknown as Record<string, unknown>,
  );
}

function validationColumns(evaluation: Evaluation, setup: RunSetup): LogRow {
  if (!setup.multilabel || evaluation.counts === null)
    return { val_accuracy: evaluation.accuracy, val_loss: evaluation.loss };
  const { tp, tn, fp, fn } = evaluation.counts;
  return {
    val_binary_accuracy: evaluation.accuracy,
    val_loss: evaluation.loss,
    val_true_positives: tp,
    val_true_negatives: tn,
    val_false_positives: fp,
    val_false_negatives: fn,
  };
}

const fmt = (x: number | undefined) => (x === undefined ? "?" : x.toFixed(4));

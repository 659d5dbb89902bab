/** One training epoch: forward, loss, backward, optimizer step for every batch. */
import type { DataLoader } from "../data/loader.js";
import type { Batch } from "../data/types.js";
import type { DataParallel } from "../distributed/data-parallel.js";
import { cat, keep, noGrad, type Tensor, tidy, zeros } from "../engine/index.js";
import { binaryCrossEntropy, categoricalCrossEntropy } from "../nn/losses.js";
import type { Model } from "../nn/models/index.js";
import type { Optimizer } from "../nn/optim/index.js";
import type { LrSchedule } from "../nn/schedules.js";
import { batchTensors } from "./batches.js";
import type { RunConfig } from "./config.js";
import { kernelsOf, withKernelL2 } from "./kernel-l2.js";
import type { TrainingPrecision } from "./mixed-precision.js";
import type { LogRow } from "./run-folder.js";
import type { TraceRecorder } from "./trace.js";

export interface EpochProgress {
  epoch: number;
  epochs: number;
  batch: number;
  batchesPerEpoch: number;
}

export interface EpochContext {
  config: RunConfig;
  model: Model;
  optimizer: Optimizer;
  schedule: LrSchedule;
  loader: DataLoader;
  multilabel: boolean;
  classes: number;
  onProgress?: ((progress: EpochProgress) => void) | undefined;
  trace?: TraceRecorder | null;
  /** Autocast around forward and loss, and fp16's loss scaling; fp32 when absent. */
  precision?: TrainingPrecision;
  /**
   * Set when the run spans several processes: this rank's share of each step. The loader then
   * gives this rank's slice of each global batch (LoaderOptions.slice).
   */
  dataParallel?: DataParallel | null;
}

/** The forward pass and the loss (with kernel L2), under the run's autocast if any. */
function forwardLoss(
  context: EpochContext,
  images: Tensor,
  labels: Tensor,
  kernels: ReturnType<typeof kernelsOf>,
): { logits: Tensor; loss: Tensor } {
  const { config, model, multilabel } = context;
  const forward = context.precision?.forward ?? (<T>(fn: () => T) => fn());
  // As torch.autocast is used: the forward pass and the loss in the lower precision,
  // the backward pass and the optimizer step outside it.
  return forward(() => {
    const out = model.forward(images);
    const dataLoss = multilabel
      ? binaryCrossEntropy(out, labels)
      : categoricalCrossEntropy(out, labels, { labelSmoothing: config.labelSmoothing });
    return { logits: out, loss: withKernelL2(dataLoss, kernels, config.kernelL2 ?? 0) };
  });
}

/** One batch's forward and backward passes; its statistics added to `totals`. */
function backwardBatch(
  context: EpochContext,
  batch: Batch,
  totals: Tensor,
  kernels: ReturnType<typeof kernelsOf>,
): void {
  const { config, multilabel } = context;
  const scaler = context.precision?.scaler ?? null;
  const parallel = context.dataParallel ?? null;
  parallel?.beforeForward();
  tidy(() => {
    const { images, labels } = batchTensors(batch, multilabel, config.device);
    const { logits, loss } = forwardLoss(context, images, labels, kernels);
    const scaled = scaler === null ? loss : scaler.scaleLoss(loss);
    if (parallel === null) scaled.backward();
    else parallel.backward(scaled);
    noGrad(() => totals.add_(batchStatistics(logits, labels, loss, multilabel)));
  });
  parallel?.averageGradients();
}

/** The optimizer's step (through the loss scaler under fp16), then the gradients zeroed. */
function optimizerStep(context: EpochContext): void {
  const { optimizer } = context;
  const scaler = context.precision?.scaler ?? null;
  if (scaler === null) {
    optimizer.step();
  } else {
    scaler.step(optimizer);
    scaler.update();
  }
}

/** log.csv's training columns from the epoch's summed statistics. */
function epochRow(context: EpochContext, epoch: number, totals: Tensor, examples: number): LogRow {
  const [lossSum, correct, tp, tn, fp] = totals.toArray() as [
    number,
    number,
    number,
    number,
    number,
  ];
  const row: LogRow = { epoch, loss: lossSum / examples, lr: context.optimizer.lr };
  if (!context.multilabel) {
    row.accuracy = correct / examples;
    return row;
  }
  const fn = examples * context.classes - tp - tn - fp;
  return Object.assign(row, {
    binary_accuracy: (tp + tn) / (examples * context.classes),
    true_positives: tp,
    true_negatives: tn,
    false_positives: fp,
    false_negatives: fn,
  });
}

/**
 * Trains one epoch; returns the training columns of log.csv (means over the epoch's batches,
 * as Keras logs them) and the global step reached. Statistics accumulate on the device, so
 * a step never waits for a read-back.
 */
export async function trainEpoch(
  context: EpochContext,
  epoch: number,
  globalStep: number,
): Promise<{ row: LogRow; globalStep: number }> {
  const { config, model, optimizer, schedule, loader } = context;
  if (schedule.unit === "epoch") optimizer.lr = schedule.lrAt(epoch);
  const totals = keep(zeros([5], { dtype: "float64", device: config.device }));
  let examples = 0;
  let step = globalStep;
  model.train();
  const kernels = config.kernelL2 ? kernelsOf(model) : [];
  try {
    // Over several ranks the loader returns this rank's slice of each global batch.
    for await (const batch of loader.epochBatches()) {
      if (schedule.unit === "step") optimizer.lr = schedule.lrAt(step);
      backwardBatch(context, batch, totals, kernels);
      optimizerStep(context);
      step++;
      context.trace?.record(step, epoch, batch.batchInEpoch);
      optimizer.zeroGrad();
      examples += batch.globalExamples ?? batch.imageShape[0];
      context.onProgress?.({
        epoch,
        epochs: config.epochs,
        batch: batch.batchInEpoch + 1,
        batchesPerEpoch: loader.batchesPerEpoch,
      });
    }
    // The epoch's columns describe the global batches: every rank's sums, added.
    context.dataParallel?.group.allreduceSum([totals]);
    return { row: epochRow(context, epoch, totals, examples), globalStep: step };
  } finally {
    totals.dispose();
  }
}

/** [loss × n, correct, TP, TN, FP] of one batch, float64 (sums over an epoch stay exact). */
function batchStatistics(
  logits: Tensor,
  labels: Tensor,
  loss: Tensor,
  multilabel: boolean,
): Tensor {
  const float64 = { dtype: "float64" as const, device: logits.device };
  const count = (t: Tensor) => t.sum().to({ dtype: "float64" }).reshape([1]);
  const lossTimesN = loss.detach().to({ dtype: "float64" }).mul(logits.shape[0]!).reshape([1]);
  if (!multilabel) {
    return cat([lossTimesN, count(logits.argmax(1).eq(labels)), zeros([3], float64)]);
  }
  const predicted = logits.detach().ge(0); // sigmoid(x) >= 0.5 exactly when x >= 0
  const actual = labels.ge(0.5);
  return cat([
    lossTimesN,
    zeros([1], float64),
    count(predicted.logicalAnd(actual)),
    count(predicted.logicalNot().logicalAnd(actual.logicalNot())),
    count(predicted.logicalAnd(actual.logicalNot())),
  ]);
}

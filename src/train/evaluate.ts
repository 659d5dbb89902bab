/** Evaluation on the test split: loss, accuracy and the per-example predictions a run saves. */
import { DataLoader } from "../data/loader.js";
import type { TransformSpec } from "../data/transforms.js";
import type { Batch, Dataset } from "../data/types.js";
import type { EvaluationShare } from "../distributed/evaluation-share.js";
import { F, noGrad, tidy } from "../engine/index.js";
import { binaryCrossEntropy, categoricalCrossEntropy } from "../nn/losses.js";
import type { Model } from "../nn/models/index.js";
import { batchTensors } from "./batches.js";
import { exampleRange } from "./data-setup.js";
import { type Counts, countOutcomes } from "./metrics.js";
import type { TrainingPrecision } from "./mixed-precision.js";

export interface Evaluation {
  loss: number;
  /** Top-1 accuracy, or binary accuracy over every attribute for multi-label tasks. */
  accuracy: number;
  /** Multi-label only: TP/TN/FP/FN over every attribute and example (threshold 0.5). */
  counts: Counts | null;
  /** Argmax class per example; multi-label: 0/1 per attribute, example-major. */
  predictions: Int32Array | Uint8Array;
  /** Softmax (or sigmoid) outputs, [examples × classes]. */
  probabilities: Float32Array;
}

const EVAL_BATCH = 500;

export async function evaluate(
  model: Model,
  test: Dataset,
  transforms: TransformSpec[],
  device: string,
  precision?: TrainingPrecision,
  /** Over several ranks: this rank evaluates its share of the batches (evaluation-share.ts). */
  share: EvaluationShare | null = null,
): Promise<Evaluation> {
  const forward = precision?.forward ?? (<T>(fn: () => T) => fn());
  const multilabel = test.kind === "multilabel";
  const classes = test.classNames.length;
  const probabilities = new Float32Array(test.length * classes);
  // Each batch's loss × its size, summed in batch order below whichever rank computed it.
  const batchLosses = new Float64Array(Math.ceil(test.length / EVAL_BATCH));
  const mine = share?.batchRange(batchLosses.length) ?? { start: 0, end: batchLosses.length };
  share?.begin();
  model.eval();
  // Only this rank's examples are read and transformed: its batches are the same as one
  // process's, since the range starts at a batch boundary.
  const first = Math.min(mine.start * EVAL_BATCH, test.length);
  const last = Math.min(mine.end * EVAL_BATCH, test.length);
  for await (const batch of evaluationBatches(exampleRange(test, first, last), transforms)) {
    const { loss, probs } = evaluateBatch(model, batch, { multilabel, device, forward });
    const index = mine.start + batch.batchInEpoch;
    probabilities.set(probs, index * EVAL_BATCH * classes);
    batchLosses[index] = loss * batch.imageShape[0];
  }
  model.train();
  share?.combine([probabilities, batchLosses]);
  let lossSum = 0;
  for (const batchLoss of batchLosses) lossSum += batchLoss;
  const seen = test.length;
  const labels = test.labels;
  if (multilabel) {
    const predictions = Uint8Array.from(probabilities, (p) => (p >= 0.5 ? 1 : 0));
    const counts = countOutcomes(predictions, labels as Uint8Array);
    return {
      loss: lossSum / seen,
      accuracy: (counts.tp + counts.tn) / predictions.length,
      counts,
      predictions,
      probabilities,
    };
  }
  const predictions = argmaxRows(probabilities, classes);
  let correct = 0;
  for (let i = 0; i < predictions.length; i++) if (predictions[i] === labels[i]) correct++;
  return {
    loss: lossSum / seen,
    accuracy: correct / seen,
    counts: null,
    predictions,
    probabilities,
  };
}

/** The test examples in batches of EVAL_BATCH, in order (none for no examples). */
async function* evaluationBatches(
  test: Dataset,
  transforms: TransformSpec[],
): AsyncGenerator<Batch> {
  if (test.length === 0) return;
  const loader = new DataLoader(test, {
    batchSize: EVAL_BATCH,
    shuffle: { kind: "none" },
    inputSeed: 0,
    transforms,
  });
  yield* loader.epochBatches();
}

/** One batch's mean loss and its probabilities (softmax, or sigmoid for multi-label). */
function evaluateBatch(
  model: Model,
  batch: Batch,
  options: { multilabel: boolean; device: string; forward: <T>(fn: () => T) => T },
): { loss: number; probs: Float32Array } {
  const { multilabel, device, forward } = options;
  return noGrad(() =>
    tidy(() => {
      const { images, labels } = batchTensors(batch, multilabel, device);
      // The model is evaluated in the precision it trains in, as autocast users do.
      const { logits, batchLoss } = forward(() => {
        const out = model.forward(images);
        return {
          logits: out,
          batchLoss: multilabel
            ? binaryCrossEntropy(out, labels)
            : categoricalCrossEntropy(out, labels),
        };
      });
      // Probabilities from the logits in fp32 (autocast's logits may be bf16 or fp16).
      const wide = logits.to({ dtype: "float32" });
      const out = multilabel ? F.sigmoid(wide) : F.softmax(wide, 1);
      return {
        loss: batchLoss.item(),
        probs: out.to({ device: "cpu" }).contiguous().dataSync() as Float32Array,
      };
    }),
  );
}

/** First index of the maximum in each row, as argmax does. */
function argmaxRows(values: Float32Array, classes: number): Int32Array {
  const rows = values.length / classes;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < classes; c++)
      if (values[r * classes + c]! > values[r * classes + best]!) best = c;
    out[r] = best;
  }
  return out;
}

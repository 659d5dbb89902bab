/**
 * Error rates for multi-label tasks (CelebA): predictions and labels are flattened
 * examples × attributes arrays of 0/1.
 */

export interface Confusion {
  tp: number;
  fp: number;
  tn: number;
  fn: number;
}

export interface ErrorRates {
  /** FP / (FP + TN): how often a true 0 is predicted 1. NaN without negatives. */
  fpr: number;
  /** FN / (FN + TP): how often a true 1 is predicted 0. NaN without positives. */
  fnr: number;
}

/** Per-attribute confusion counts over the examples selected by `include` (all if absent). */
export function confusionPerAttribute(
  prediction: ArrayLike<number>,
  labels: ArrayLike<number>,
  attributes: number,
  include?: (example: number) => boolean,
): Confusion[] {
  const examples = labels.length / attributes;
  const counts = Array.from({ length: attributes }, () => ({ tp: 0, fp: 0, tn: 0, fn: 0 }));
  for (let e = 0; e < examples; e++) {
    if (include !== undefined && !include(e)) continue;
    for (let a = 0; a < attributes; a++) {
      const truth = labels[e * attributes + a];
      const predicted = prediction[e * attributes + a];
      const c = counts[a]!;
      if (truth === 1) predicted === 1 ? c.tp++ : c.fn++;
      else predicted === 1 ? c.fp++ : c.tn++;
    }
  }
  return counts;
}

/**
 * The correct rates. The original divided false negatives by FP + TN (the negatives);
 * a miss rate is over the positives, FN + TP.
 */
export function errorRates({ tp, fp, tn, fn }: Confusion): ErrorRates {
  return {
    fpr: fp + tn === 0 ? Number.NaN : fp / (fp + tn),
    fnr: fn + tp === 0 ? Number.NaN : fn / (fn + tp),
  };
}

/**
 * For each run, FPR and FNR of every attribute within the examples of one subgroup:
 * result[run][attribute].
 */
export function subgroupErrorRates(
  predictions: readonly ArrayLike<number>[],
  labels: ArrayLike<number>,
  attributes: number,
  subgroupAttributeIndex: number | undefined,
  subgroupValue: 0 | 1,
): ErrorRates[][] {
  const include =
    subgroupAttributeIndex === undefined
      ? undefined
      : (e: number) => labels[e * attributes + subgroupAttributeIndex] === subgroupValue;
  return predictions.map((prediction) =>
    confusionPerAttribute(prediction, labels, attributes, include).map(errorRates),
  );
}

/** Correct predictions of each run on each attribute, runs × attributes (out of `examples`). */
export function attributeCorrect(
  predictions: readonly ArrayLike<number>[],
  labels: ArrayLike<number>,
  attributes: number,
): number[][] {
  return predictions.map((prediction) => {
    const correct = new Array<number>(attributes).fill(0);
    for (let i = 0; i < labels.length; i++)
      if (prediction[i] === labels[i]) correct[i % attributes]!++;
    return correct;
  });
}

/** Confusion counts for multi-label outputs (threshold 0.5), as Keras's TP/TN/FP/FN metrics. */
export interface Counts {
  tp: number;
  tn: number;
  fp: number;
  fn: number;
}

export function countOutcomes(predictions: Uint8Array, labels: Uint8Array): Counts {
  const counts = { tp: 0, tn: 0, fp: 0, fn: 0 };
  for (let i = 0; i < predictions.length; i++) {
    const p = predictions[i] === 1;
    const l = labels[i] === 1;
    if (p && l) counts.tp++;
    else if (!p && !l) counts.tn++;
    else if (p) counts.fp++;
    else counts.fn++;
  }
  return counts;
}

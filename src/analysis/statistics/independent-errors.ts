/**
 * Jordan ("Calibrated Chaos", ICLR 2024): if each test example were got right by a run
 * independently with its own probability p_i, the run-to-run variance of test accuracy
 * would be Σ p_i(1 − p_i) / N². Its excess over that is the part of the variance that is
 * more than test-set sampling. p_i is estimated by the fraction of runs that got example i
 * right; p̂(1 − p̂)·n/(n − 1) is unbiased for p(1 − p), so the prediction is too.
 */

/** Predicted variance of accuracy under independent errors; NaN below 2 runs. */
export function independentErrorsVariance(
  predictions: readonly ArrayLike<number>[],
  labels: ArrayLike<number>,
): number {
  const runs = predictions.length;
  const entries = labels.length;
  if (runs < 2 || entries === 0) return Number.NaN;
  let sum = 0;
  for (let e = 0; e < entries; e++) {
    let correct = 0;
    for (let r = 0; r < runs; r++) if (predictions[r]![e] === labels[e]) correct++;
    // correct·(runs − correct) is an integer: runs that all agree add exactly 0.
    sum += correct * (runs - correct);
  }
  // p̂(1 − p̂)·n/(n − 1) = c(n − c) / (n(n − 1)).
  return sum / (runs * (runs - 1)) / (entries * entries);
}

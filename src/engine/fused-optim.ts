/**
 * Optimizer updates of all parameters in one crossing into the addon (native/src/optim.cc).
 * The native side runs the ATen ops of the per-op update (src/nn/optim/adam.ts) in the same
 * order with the same scalars, so the bits are the same; what goes is the per-op overhead of
 * a small model's step: about ten crossings, and as many temporary handles, per parameter.
 */
import { native } from "./native.js";
import type { Tensor } from "./tensor.js";

export interface FusedAdamEntry {
  param: Tensor;
  grad: Tensor;
  expAvg: Tensor;
  expAvgSq: Tensor;
  /** lr / (1 − β1^t), computed by the caller as the per-op path does. */
  stepSize: number;
  /** √(1 − β2^t). */
  biasCorrection2Sqrt: number;
}

export function fusedAdamStep(
  entries: readonly FusedAdamEntry[],
  hyper: { beta1: number; beta2: number; eps: number; weightDecay: number },
): void {
  if (entries.length === 0) return;
  native.adamStep(
    entries.map((e) => e.param.handle),
    entries.map((e) => e.grad.handle),
    entries.map((e) => e.expAvg.handle),
    entries.map((e) => e.expAvgSq.handle),
    entries.map((e) => e.stepSize),
    entries.map((e) => e.biasCorrection2Sqrt),
    hyper.beta1,
    hyper.beta2,
    hyper.eps,
    hyper.weightDecay,
  );
}

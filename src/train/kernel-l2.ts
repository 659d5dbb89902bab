/**
 * Keras's kernel regulariser, as the original's ResNet18 applies it (`kernel_regularizer=
 * l2(λ)` on its convolutions and dense layer): λ‖w‖² added to the loss, for kernels only —
 * biases and BatchNorm's γ/β carry none. PyTorch's `weight_decay` instead adds decay·w to
 * every parameter's gradient. The penalty is part of the loss Keras logs, so it is here too.
 */
import type { Tensor } from "../engine/index.js";
import type { Module } from "../nn/module.js";

/** A model's kernels: convolution and dense weights, the parameters with two or more dims. */
export function kernelsOf(model: Module): Tensor[] {
  return [...model.namedParameters()]
    .filter(([, parameter]) => parameter.shape.length >= 2)
    .map(([, parameter]) => parameter);
}

/** loss + λ Σ‖kernel‖²; the loss unchanged when λ is 0 or there are no kernels. */
export function withKernelL2(loss: Tensor, kernels: readonly Tensor[], lambda: number): Tensor {
  if (lambda === 0 || kernels.length === 0) return loss;
  let penalty = kernels[0]!.square().sum();
  for (const kernel of kernels.slice(1)) penalty = penalty.add(kernel.square().sum());
  return loss.add(penalty.mul(lambda));
}

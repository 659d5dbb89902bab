/**
 * Losses on logits. The original's models end in a softmax (or sigmoid) layer and Keras's
 * losses take probabilities; nnr's models output logits and the softmax/sigmoid is folded into
 * the loss, which computes it stably (log-sum-exp) instead of clipping probabilities at 1e-7
 * as Keras does. Predictions (argmax) are unchanged by the fold.
 */
import { F, type Tensor } from "../engine/index.js";

export interface CategoricalCrossEntropyOptions {
  /**
   * Keras's and PyTorch's label smoothing agree: the target becomes (1 - s)·onehot + s/classes.
   * ResNet50 on ImageNet uses 0.1.
   */
  labelSmoothing?: number;
}

/**
 * Mean categorical cross-entropy of softmax(logits) against integer class labels (int64, [N])
 * or class probabilities (float, [N, classes]).
 */
export function categoricalCrossEntropy(
  logits: Tensor,
  target: Tensor,
  options: CategoricalCrossEntropyOptions = {},
): Tensor {
  const labelSmoothing = options.labelSmoothing ?? 0;
  if (!(labelSmoothing >= 0 && labelSmoothing <= 1)) {
    throw new RangeError(
      `categoricalCrossEntropy: labelSmoothing must be in [0, 1], got ${labelSmoothing}`,
    );
  }
  return F.crossEntropy(logits, target, { labelSmoothing });
}

/**
 * Mean binary cross-entropy of sigmoid(logits) against 0/1 targets of the same shape, for
 * multi-label heads (CelebA's 40 attributes). Keras's BinaryCrossentropy averages over the
 * attributes, then over the batch: the same as the mean over all elements.
 */
export function binaryCrossEntropy(logits: Tensor, target: Tensor): Tensor {
  const floatTarget = target.dtype === "float32" ? target : target.float();
  return F.binaryCrossEntropyWithLogits(logits, floatTarget);
}

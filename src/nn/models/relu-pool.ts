/**
 * ReLU then 2×2 max pooling, computed as pooling then ReLU. The two commute: both are
 * monotone, so max(relu(a), relu(b)) = relu(max(a, b)), and the pooled element is the same
 * one (where the window's maximum is positive; elsewhere every gradient is zero either way).
 * So the outputs and every gradient are the same numbers, while ReLU and its backward touch
 * a quarter of the elements: SmallCNN's ReLUs were a fifth of its training step. NaN goes
 * through both orders alike (max pooling and ReLU both propagate it). The one difference in
 * bits is the sign of a zero: where a window's maximum is −0, ReLU then pooling may give +0
 * (a +0 from a negative element ties it), pooling then ReLU gives −0.
 *
 * On float32 CPU tensors the pooling and the ReLU run fused, one native pass each way
 * (F.reluMaxPool2x2): the bits of ATen's pooling then ReLU, from about a third of their memory
 * traffic.
 */
import { F, type Tensor } from "../../engine/index.js";

let fused = true;

/**
 * Runs the pooling and the ReLU as ATen's two ops (false) or fused (true, the default): for
 * the tests and benchmarks that compare the two in one process.
 */
export function fuseReluOfMaxPool(enabled: boolean): void {
  fused = enabled;
}

export function reluOfMaxPool(x: Tensor): Tensor {
  return fused ? F.reluMaxPool2x2(x) : F.maxPool2d(x, 2).relu();
}

/**
 * ReLU then 2×2 max pooling, computed as pooling then ReLU. The two commute: both are
 * monotone, so max(relu(a), relu(b)) = relu(max(a, b)), and the pooled element is the same
 * one (where the window's maximum is positive; elsewhere every gradient is zero either way).
 * So the outputs and every gradient are the same numbers, while ReLU and its backward touch
 * a quarter of the elements: SmallCNN's ReLUs were a fifth of its training step. NaN goes
 * through both orders alike (max pooling and ReLU both propagate it).
 */
import { F, type Tensor } from "../../engine/index.js";

export function reluOfMaxPool(x: Tensor): Tensor {
  return F.maxPool2d(x, 2).relu();
}

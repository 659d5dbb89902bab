import { F, noGrad, ones, type Tensor, zeros } from "../../engine/index.js";
import { Module } from "../module.js";

export interface BatchNormConfig {
  /** PyTorch's convention: running = (1 - momentum)·running + momentum·batch. */
  momentum?: number;
  eps?: number;
  /** Keras's `scale`: false leaves gamma out (no `weight`), as Keras's InceptionV3 does. */
  scale?: boolean;
}

/**
 * Keras's BatchNormalization defaults in PyTorch's terms: Keras momentum 0.99 is PyTorch
 * momentum 0.01, and Keras's epsilon is 1e-3 (PyTorch's is 1e-5). Models from the original
 * (Keras) code use these; models defined by PyTorch or TF Model Garden keep PyTorch's.
 */
type Defaults = Required<Omit<BatchNormConfig, "scale">>;
export const KERAS_BATCH_NORM: Defaults = { momentum: 0.01, eps: 1e-3 };
export const TORCH_BATCH_NORM: Defaults = { momentum: 0.1, eps: 1e-5 };

/**
 * Where a data-parallel run computes BatchNorm's training statistics over the global batch
 * (ProcessGroup.syncBatchNorm); same arguments as F.batchNorm in training.
 */
export interface BatchNormSync {
  syncBatchNorm(input: Tensor, options: Omit<F.BatchNormOptions, "training">): Tensor;
}

/**
 * Batch normalisation over N, H, W: gamma ones (unless `scale` is false), beta zeros, running
 * mean zeros, running variance ones, and `num_batches_tracked` as PyTorch keeps it, so state
 * dicts match.
 */
export class BatchNorm2d extends Module {
  readonly momentum: number;
  readonly eps: number;
  readonly scale: boolean;
  /** Synchronised across ranks in training (distributed/sync-batchnorm.ts); null: per rank. */
  sync: BatchNormSync | null = null;

  constructor(channels: number, config: BatchNormConfig = TORCH_BATCH_NORM) {
    super();
    this.momentum = config.momentum ?? TORCH_BATCH_NORM.momentum;
    this.eps = config.eps ?? TORCH_BATCH_NORM.eps;
    this.scale = config.scale ?? true;
    if (this.scale) this.registerParameter("weight", ones([channels]));
    this.registerParameter("bias", zeros([channels]));
    this.registerBuffer("running_mean", zeros([channels]));
    this.registerBuffer("running_var", ones([channels]));
    this.registerBuffer("num_batches_tracked", zeros([], { dtype: "int64" }));
  }

  forward(input: Tensor): Tensor {
    if (this.training) noGrad(() => this.buffer("num_batches_tracked").add_(1));
    const options = {
      weight: this.scale ? this.parameter("weight") : null,
      bias: this.parameter("bias"),
      runningMean: this.buffer("running_mean"),
      runningVar: this.buffer("running_var"),
      momentum: this.momentum,
      eps: this.eps,
    };
    if (this.training && this.sync !== null) return this.sync.syncBatchNorm(input, options);
    return F.batchNorm(input, { ...options, training: this.training });
  }
}

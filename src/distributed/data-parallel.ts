/**
 * Data parallelism as PyTorch's DistributedDataParallel does it, with its defaults:
 * - the same start on every rank: parameters and buffers broadcast from rank 0;
 * - buffers (BatchNorm's running statistics) broadcast from rank 0 before every forward
 *   (broadcast_buffers=True), while each rank normalises with its own batch's statistics, or,
 *   with `syncBatchNorm`, every rank with the global batch's (sync-batchnorm.ts);
 * - gradients averaged after every backward, bucket by bucket (see buckets.ts).
 * Each global batch is split into contiguous slices, rank r taking the r-th: the run sees the
 * same global order at any world size, as DistributedSampler over one shared permutation.
 */
import { sliceBounds } from "../data/batch-split.js";
import type { Batch } from "../data/types.js";
import { tidy } from "../engine/scope.js";
import type { Tensor } from "../engine/tensor.js";
import { UserError } from "../errors.js";
import type { Module } from "../nn/module.js";
import { type BucketLayout, bucketLayout } from "./buckets.js";
import type { ProcessGroup } from "./process-group.js";
import { mark } from "./step-profile.js";
import { type BatchNormMode, synchronizeBatchNorm } from "./sync-batchnorm.js";

export { sliceBounds };

/** What run.json records about a data-parallel run. */
export interface DistributedRecord {
  worldSize: number;
  backend: string;
  batchSplit: "contiguous";
  broadcastBuffers: true;
  batchNorm: BatchNormMode;
  buckets: BucketLayout;
}

export class DataParallel {
  readonly layout: BucketLayout;
  readonly #parameters: Tensor[];
  readonly #bucketSizes: number[];
  readonly #buffers: Tensor[];
  readonly batchNorm: BatchNormMode;

  constructor(
    readonly group: ProcessGroup,
    private readonly module: Module,
    options: { syncBatchNorm?: boolean } = {},
  ) {
    const named = [...module.namedParameters()];
    this.layout = bucketLayout(named);
    const byName = new Map(named);
    this.#parameters = this.layout.buckets.flatMap((b) => b.parameters.map((n) => byName.get(n)!));
    this.#bucketSizes = this.layout.buckets.map((b) => b.parameters.length);
    this.#buffers = [...module.namedBuffers()].map(([, t]) => t);
    if (options.syncBatchNorm && synchronizeBatchNorm(module, group) === 0) {
      throw new UserError("--sync-batchnorm: the model has no BatchNorm layer; drop it");
    }
    this.batchNorm = options.syncBatchNorm ? "synchronized" : "per-rank";
  }

  get rank(): number {
    return this.group.rank;
  }

  get worldSize(): number {
    return this.group.worldSize;
  }

  record(): DistributedRecord {
    return {
      worldSize: this.worldSize,
      backend: this.group.backend,
      batchSplit: "contiguous",
      broadcastBuffers: true,
      batchNorm: this.batchNorm,
      buckets: this.layout,
    };
  }

  /** Every rank starts from rank 0's parameters and buffers. */
  syncInitialState(): void {
    this.group.broadcast([...this.module.parameters(), ...this.#buffers]);
  }

  beforeForward(): void {
    mark("step, loader, evaluation");
    this.syncBuffers();
    mark(null);
  }

  /** Every rank takes rank 0's buffers (BatchNorm's running statistics). */
  syncBuffers(): void {
    this.group.broadcast(this.#buffers);
  }

  /**
   * The backward pass. With synchronised BatchNorm it holds collectives (native autograd, so
   * their failures, a peer gone or a timeout, arrive as plain errors): those leave as one line.
   */
  backward(loss: Tensor): void {
    try {
      loss.backward();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!message.includes("synchronised BatchNorm")) throw error;
      throw new UserError(message.replace(/^backward: /, ""), { exitCode: 1 });
    }
  }

  /** Replaces every parameter's gradient with its mean over the ranks. */
  averageGradients(): void {
    mark("forward+backward");
    tidy(() => {
      const grads = this.#parameters.map((p, i) => {
        const grad = p.grad;
        if (grad === null) {
          throw new Error(
            `parameter ${i} has no gradient: every parameter must take part in the loss`,
          );
        }
        return grad;
      });
      this.group.allreduceMean(grads, this.#bucketSizes);
    });
    mark(null);
  }

  /**
   * This rank's contiguous slice of an assembled global batch. Training asks the loader for
   * the slice instead (LoaderOptions.slice), which assembles only these examples.
   */
  slice(batch: Batch): Batch {
    const [n, c, h, w] = batch.imageShape;
    const { start, end } = sliceBounds(n, this.rank, this.worldSize);
    const pixels = c * h * w;
    const labelsPer = batch.labels.length / n;
    return {
      ...batch,
      images: batch.images.subarray(start * pixels, end * pixels),
      imageShape: [end - start, c, h, w],
      labels: batch.labels.subarray(start * labelsPer, end * labelsPer),
      indices: batch.indices.subarray(start, end),
      globalExamples: n,
    };
  }
}

/** Refuses batch sizes that would leave a rank without examples. */
export function checkBatchSplit(batchSize: number, lastBatch: number, worldSize: number): void {
  if (batchSize % worldSize !== 0) {
    throw new UserError(
      `--batch-size ${batchSize} does not split evenly over ${worldSize} ranks; choose a multiple of --nproc`,
    );
  }
  if (lastBatch > 0 && lastBatch < worldSize) {
    throw new UserError(
      `the last batch of each epoch holds ${lastBatch} example(s), fewer than the ${worldSize} ranks; pass a --train-examples that leaves at least ${worldSize}, or drop the remainder`,
    );
  }
}

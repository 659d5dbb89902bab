/**
 * A c10d process group (engine/collectives.ts): a TCPStore rendezvous at the master's address
 * and a Gloo group over it, the engine PyTorch's DistributedDataParallel uses on CPU. Every
 * call waits at most the group's timeout; a failure (a peer gone, a timeout, an unreachable
 * master) is a UserError of one line. Before every collective, a rank checks that the launcher
 * that started it is still there (parent-watch.ts).
 */

import * as c10d from "../engine/collectives.js";
import type { BatchNormOptions } from "../engine/functional.js";
import type { Tensor } from "../engine/tensor.js";
import { UserError } from "../errors.js";
import { parentWatch } from "./parent-watch.js";
import { reportProfile, timed } from "./step-profile.js";

export type ProcessGroupOptions = c10d.GroupAddress;

export type Backend = "gloo";

export class ProcessGroup {
  readonly rank: number;
  readonly worldSize: number;
  readonly backend: Backend = "gloo";
  readonly endpoint: string;
  readonly timeoutMs: number;
  #handle: c10d.ProcessGroupHandle | null;
  /** Throws once the launcher that started this rank is gone (parent-watch.ts). */
  readonly #checkParent: () => void;

  private constructor(handle: c10d.ProcessGroupHandle, options: ProcessGroupOptions) {
    this.#handle = handle;
    this.rank = options.rank;
    this.worldSize = options.worldSize;
    this.endpoint = `${options.masterAddr}:${options.masterPort}`;
    this.timeoutMs = options.timeoutMs;
    this.#checkParent = parentWatch(options.rank);
  }

  /** Joins the group: returns once all worldSize ranks have met, or throws within the timeout. */
  static join(options: ProcessGroupOptions): ProcessGroup {
    return new ProcessGroup(
      timed("join", () => c10d.initProcessGroup(options)),
      options,
    );
  }

  get isLeader(): boolean {
    return this.rank === 0;
  }

  /** Averages tensors across ranks in place, bucket by bucket (DDP's reducer). */
  allreduceMean(tensors: readonly Tensor[], bucketSizes: readonly number[]): void {
    timed("allreduce", () => c10d.allreduceMean(this.handle, tensors, bucketSizes));
  }

  /** Sums each tensor across ranks in place. */
  allreduceSum(tensors: readonly Tensor[]): void {
    timed("allreduceSum", () => c10d.allreduceSum(this.handle, tensors));
  }

  /** Overwrites the tensors with the root rank's, in place. */
  broadcast(tensors: readonly Tensor[], root = 0): void {
    if (tensors.length === 0) return;
    timed("broadcast", () => c10d.broadcast(this.handle, tensors, root));
  }

  /**
   * BatchNorm in training with the statistics of the global batch (every rank's slice): the
   * forward all-gathers per-channel counts, means and variances, the backward all-reduces the
   * gradient's per-channel sums, as torch.nn.SyncBatchNorm (native/src/sync-batchnorm.cc).
   */
  syncBatchNorm(input: Tensor, options: Omit<BatchNormOptions, "training">): Tensor {
    return c10d.syncBatchNorm(this.handle, input, options);
  }

  barrier(): void {
    timed("barrier", () => c10d.barrier(this.handle));
  }

  /**
   * Rank 0 decides a JSON value and publishes it under key; the others wait for it (within the
   * timeout). When rank 0's decision fails, every rank fails with its message.
   */
  share<T>(key: string, decide: () => T): T {
    const handle = this.handle;
    if (this.isLeader) {
      let shared: { value: T } | { error: string };
      try {
        shared = { value: decide() };
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        c10d.storeSet(handle, key, JSON.stringify({ error: message }));
        throw error;
      }
      c10d.storeSet(handle, key, JSON.stringify(shared));
      return shared.value;
    }
    const shared = JSON.parse(c10d.storeGet(handle, key)) as { value: T } | { error: string };
    if ("error" in shared) throw new UserError(`rank 0: ${shared.error}`);
    return shared.value;
  }

  /** Leaves the group. Rank 0 serves the store: call after a barrier so the others are done. */
  destroy(): void {
    if (this.#handle === null) return;
    reportProfile(this.rank);
    c10d.destroyProcessGroup(this.#handle);
    this.#handle = null;
  }

  private get handle(): c10d.ProcessGroupHandle {
    if (this.#handle === null) throw new Error("the process group was destroyed");
    this.#checkParent();
    return this.#handle;
  }
}

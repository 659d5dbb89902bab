/**
 * A c10d process group: a TCPStore rendezvous at the master's address and a Gloo group over
 * it, the engine PyTorch's DistributedDataParallel uses on CPU. Every call waits at most the
 * group's timeout; a failure (a peer gone, a timeout, an unreachable master) is a UserError of
 * one line.
 */

import type { BatchNormOptions } from "../engine/functional.js";
import { native, type ProcessGroupHandle } from "../engine/native.js";
import { Tensor } from "../engine/tensor.js";
import { UserError } from "../errors.js";
import { parentWatch } from "./parent-watch.js";

export interface ProcessGroupOptions {
  masterAddr: string;
  masterPort: number;
  rank: number;
  worldSize: number;
  /** Bounds the rendezvous and every collective. */
  timeoutMs: number;
  /**
   * The network device Gloo binds: `interface:NAME` (as GLOO_SOCKET_IFNAME), `hostname:NAME`,
   * or "" for the address this machine's hostname resolves to.
   */
  device: string;
}

export type Backend = "gloo";

export class ProcessGroup {
  readonly rank: number;
  readonly worldSize: number;
  readonly backend: Backend = "gloo";
  readonly endpoint: string;
  readonly timeoutMs: number;
  #handle: ProcessGroupHandle | null;
  /** Throws once the launcher that started this rank is gone (parent-watch.ts). */
  readonly #checkParent: () => void;

  private constructor(handle: ProcessGroupHandle, options: ProcessGroupOptions) {
    this.#handle = handle;
    this.rank = options.rank;
    this.worldSize = options.worldSize;
    this.endpoint = `${options.masterAddr}:${options.masterPort}`;
    this.timeoutMs = options.timeoutMs;
    this.#checkParent = parentWatch(options.rank);
  }

  /** Joins the group: returns once all worldSize ranks have met, or throws within the timeout. */
  static join(options: ProcessGroupOptions): ProcessGroup {
    const handle = nativeCall(() =>
      native.processGroupInit(
        options.masterAddr,
        options.masterPort,
        options.rank,
        options.worldSize,
        options.timeoutMs,
        options.device,
      ),
    );
    return new ProcessGroup(handle, options);
  }

  get isLeader(): boolean {
    return this.rank === 0;
  }

  /** Averages tensors across ranks in place, bucket by bucket (DDP's reducer). */
  allreduceMean(tensors: readonly Tensor[], bucketSizes: readonly number[]): void {
    const handle = this.handle;
    nativeCall(() =>
      native.processGroupAllreduceMean(
        handle,
        tensors.map((t) => t.handle),
        [...bucketSizes],
      ),
    );
  }

  /** Sums each tensor across ranks in place. */
  allreduceSum(tensors: readonly Tensor[]): void {
    const handle = this.handle;
    nativeCall(() =>
      native.processGroupAllreduceSum(
        handle,
        tensors.map((t) => t.handle),
      ),
    );
  }

  /** Overwrites the tensors with the root rank's, in place. */
  broadcast(tensors: readonly Tensor[], root = 0): void {
    if (tensors.length === 0) return;
    const handle = this.handle;
    nativeCall(() =>
      native.processGroupBroadcast(
        handle,
        tensors.map((t) => t.handle),
        root,
      ),
    );
  }

  /**
   * BatchNorm in training with the statistics of the global batch (every rank's slice): the
   * forward all-gathers per-channel counts, means and variances, the backward all-reduces the
   * gradient's per-channel sums, as torch.nn.SyncBatchNorm (native/src/sync-batchnorm.cc).
   */
  syncBatchNorm(input: Tensor, options: Omit<BatchNormOptions, "training">): Tensor {
    const handle = this.handle;
    return Tensor.wrap(
      nativeCall(() =>
        native.syncBatchNorm(
          handle,
          input.handle,
          options.weight?.handle ?? null,
          options.bias?.handle ?? null,
          options.runningMean?.handle ?? null,
          options.runningVar?.handle ?? null,
          options.momentum ?? 0.1,
          options.eps ?? 1e-5,
        ),
      ),
    );
  }

  barrier(): void {
    const handle = this.handle;
    nativeCall(() => native.processGroupBarrier(handle));
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
        nativeCall(() =>
          native.processGroupStoreSet(handle, key, JSON.stringify({ error: message })),
        );
        throw error;
      }
      nativeCall(() => native.processGroupStoreSet(handle, key, JSON.stringify(shared)));
      return shared.value;
    }
    const shared = JSON.parse(nativeCall(() => native.processGroupStoreGet(handle, key))) as
      | { value: T }
      | { error: string };
    if ("error" in shared) throw new UserError(`rank 0: ${shared.error}`);
    return shared.value;
  }

  /** Leaves the group. Rank 0 serves the store: call after a barrier so the others are done. */
  destroy(): void {
    if (this.#handle === null) return;
    native.processGroupDestroy(this.#handle);
    this.#handle = null;
  }

  private get handle(): ProcessGroupHandle {
    if (this.#handle === null) throw new Error("the process group was destroyed");
    this.#checkParent();
    return this.#handle;
  }
}

/** c10d's failures are the user's to act on (a peer, a port, a timeout): no stack trace. */
function nativeCall<T>(call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (error instanceof TypeError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    // The native function's name (processGroupInit: ...) means nothing to a user.
    throw new UserError(message.replace(/^(processGroup\w+|syncBatchNorm): /, ""), {
      exitCode: 1,
    });
  }
}

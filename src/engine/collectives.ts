/**
 * The addon's c10d process group (native/src/distributed.cc) as typed calls over tensors: a
 * TCPStore rendezvous at the master's address and a Gloo group over it. Every call waits at
 * most the group's timeout; a failure (a peer gone, a timeout, an unreachable master) is the
 * user's to act on, so it is a UserError of one line, without the native function's name.
 */
import { UserError } from "../errors.js";
import type { BatchNormOptions } from "./functional.js";
import { native, type ProcessGroupHandle } from "./native.js";
import { Tensor } from "./tensor.js";

export type { ProcessGroupHandle };

export interface GroupAddress {
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

/** Joins the group: returns once all worldSize ranks have met, or throws within the timeout. */
export function initProcessGroup(address: GroupAddress): ProcessGroupHandle {
  return c10d(() =>
    native.processGroupInit(
      address.masterAddr,
      address.masterPort,
      address.rank,
      address.worldSize,
      address.timeoutMs,
      address.device,
    ),
  );
}

/** Averages tensors across ranks in place, bucket by bucket (DDP's reducer). */
export function allreduceMean(
  group: ProcessGroupHandle,
  tensors: readonly Tensor[],
  bucketSizes: readonly number[],
): void {
  c10d(() => native.processGroupAllreduceMean(group, handles(tensors), [...bucketSizes]));
}

/** Sums each tensor across ranks in place. */
export function allreduceSum(group: ProcessGroupHandle, tensors: readonly Tensor[]): void {
  c10d(() => native.processGroupAllreduceSum(group, handles(tensors)));
}

/** Overwrites the tensors with the root rank's, in place. */
export function broadcast(group: ProcessGroupHandle, tensors: readonly Tensor[], root: number) {
  c10d(() => native.processGroupBroadcast(group, handles(tensors), root));
}

/** torch.nn.SyncBatchNorm's training forward over the group (native/src/sync-batchnorm.cc). */
export function syncBatchNorm(
  group: ProcessGroupHandle,
  input: Tensor,
  options: Omit<BatchNormOptions, "training">,
): Tensor {
  return Tensor.wrap(
    c10d(() =>
      native.syncBatchNorm(
        group,
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

export function barrier(group: ProcessGroupHandle): void {
  c10d(() => native.processGroupBarrier(group));
}

/** Publishes a string under key in the group's store. */
export function storeSet(group: ProcessGroupHandle, key: string, value: string): void {
  c10d(() => native.processGroupStoreSet(group, key, value));
}

/** The string under key, once some rank has published it (within the timeout). */
export function storeGet(group: ProcessGroupHandle, key: string): string {
  return c10d(() => native.processGroupStoreGet(group, key));
}

export function destroyProcessGroup(group: ProcessGroupHandle): void {
  native.processGroupDestroy(group);
}

const handles = (tensors: readonly Tensor[]) => tensors.map((t) => t.handle);

/** c10d's failures are the user's to act on (a peer, a port, a timeout): no stack trace. */
function c10d<T>(call: () => T): T {
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

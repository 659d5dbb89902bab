/**
 * What only a CUDA build of the addon has (native/src/cuda/): GPU time from CUDA events, and
 * host-to-device copies from pinned (page-locked) memory that do not block the host. A
 * CPU-only libtorch cannot pin memory: asking for it there is refused with one line.
 */
import { engineInfo } from "./info.js";
import { native, type TensorHandle } from "./native.js";
import { Tensor } from "./tensor.js";

declare const eventBrand: unique symbol;
type CudaEventHandle = { readonly [eventBrand]: "cuda-event" };

/** The exports of native/src/cuda/cuda.cc; absent from builds without CUDA. */
interface NativeCudaExports {
  cudaEventNew(): CudaEventHandle;
  cudaEventRecord(event: CudaEventHandle, device: string): void;
  cudaEventElapsedMs(start: CudaEventHandle, end: CudaEventHandle): number;
  pinMemory(t: TensorHandle): TensorHandle;
  isPinned(t: TensorHandle): boolean;
  toNonBlocking(t: TensorHandle, device: string): TensorHandle;
}

function cudaExports(): Partial<NativeCudaExports> {
  return native as unknown as Partial<NativeCudaExports>;
}

let cachedReason: string | null | undefined;

/** Why CUDA-only engine features cannot run here, or null when they can (fixed per process). */
export function cudaUnavailableReason(): string | null {
  cachedReason ??= findUnavailableReason() ?? null;
  return cachedReason;
}

function findUnavailableReason(): string | null {
  if (typeof cudaExports().cudaEventNew !== "function") {
    const info = engineInfo();
    return info.cudaBuild
      ? `the addon was built without native/src/cuda/ (libtorch ${info.libtorch}; rebuild without NNR_CUDA_SOURCES=off)`
      : `libtorch ${info.libtorch} is a CPU-only build`;
  }
  if (!engineInfo().cudaAvailable) return "no CUDA device is visible";
  return null;
}

/**
 * Times GPU work with a pair of CUDA events on the device's current stream: the time the
 * GPU spent from start() to stop(), as nvprof's GPU time was, without the host's share.
 */
export class CudaTimer {
  readonly #device: string;
  readonly #start: CudaEventHandle;
  readonly #end: CudaEventHandle;

  constructor(device: string) {
    const reason = cudaUnavailableReason();
    if (reason !== null) throw new Error(`CUDA event timing is not available: ${reason}`);
    const cuda = cudaExports() as NativeCudaExports;
    this.#device = device;
    this.#start = cuda.cudaEventNew();
    this.#end = cuda.cudaEventNew();
  }

  start(): void {
    (cudaExports() as NativeCudaExports).cudaEventRecord(this.#start, this.#device);
  }

  /** Records the end event, waits for it, and returns the milliseconds between the two. */
  stop(): number {
    const cuda = cudaExports() as NativeCudaExports;
    cuda.cudaEventRecord(this.#end, this.#device);
    return cuda.cudaEventElapsedMs(this.#start, this.#end);
  }
}

/** Whether CUDA events can time work on `device` (a CUDA device and a CUDA build). */
export function cudaTimingAvailable(device: string): boolean {
  return device.startsWith("cuda") && cudaUnavailableReason() === null;
}

/** A copy of a CPU tensor in pinned host memory; a one-line Error where it cannot be. */
export function pinMemory(t: Tensor): Tensor {
  const reason = cudaUnavailableReason();
  if (reason !== null) throw new Error(`pinned host memory needs CUDA: ${reason}`);
  return Tensor.wrap((cudaExports() as NativeCudaExports).pinMemory(t.handle));
}

export function isPinned(t: Tensor): boolean {
  const isPinnedFn = cudaExports().isPinned;
  return isPinnedFn === undefined ? false : isPinnedFn(t.handle);
}

/**
 * Copies a CPU tensor to a CUDA device through pinned memory without blocking the host: the
 * copy is queued on the device's stream, so the ops after it see the data, and the host goes
 * on assembling the next batch. The bits are those of a plain copy.
 */
export function toDevicePinned(t: Tensor, device: string): Tensor {
  const cuda = cudaExports() as NativeCudaExports;
  const staged = pinMemory(t);
  try {
    return Tensor.wrap(cuda.toNonBlocking(staged.handle, device));
  } finally {
    staged.dispose();
  }
}

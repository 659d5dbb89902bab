/**
 * How the C allocator hands memory to libtorch's CPU tensors. A training step frees and
 * allocates the same large blocks each time; with glibc's default thresholds those blocks
 * go back to the kernel when freed and fault in again page by page at the next step, which
 * costs SmallCNN about 40 % of its step time on one thread. Raising the mmap threshold to
 * glibc's maximum (32 MiB) and the trim threshold to 1 GiB keeps that memory in the process.
 * The bits do not change (the allocator decides where tensors live, not what they hold); the
 * price is that memory freed after a peak stays with the process.
 *
 * NNR_ALLOCATOR=system leaves glibc's defaults (e.g. to compare, or to keep a small RSS).
 */
import type { NativeAddon } from "./native.js";

export const TUNED_MMAP_THRESHOLD = 32 * 1024 * 1024;
export const TUNED_TRIM_THRESHOLD = 1024 * 1024 * 1024;

/** What the allocator was set to, as every run records it. */
export type AllocatorSetting =
  | { kind: "tuned"; mmapThreshold: number; trimThreshold: number }
  | { kind: "system"; reason: string };

/** Applies NNR_ALLOCATOR's choice (default: tuned) to a freshly loaded addon. */
export function configureAllocator(
  addon: Pick<NativeAddon, "tuneAllocator">,
  choice: string | undefined = process.env.NNR_ALLOCATOR,
): AllocatorSetting {
  if (choice === "system") return { kind: "system", reason: "NNR_ALLOCATOR=system" };
  if (choice !== undefined && choice !== "" && choice !== "tuned") {
    // A typo must not silently change what is measured: say so once, then use the default.
    process.emitWarning(`NNR_ALLOCATOR=${choice}: unknown value; use 'tuned' or 'system'`);
  }
  if (!addon.tuneAllocator(TUNED_MMAP_THRESHOLD, TUNED_TRIM_THRESHOLD)) {
    return { kind: "system", reason: "not glibc: thresholds left as they are" };
  }
  return {
    kind: "tuned",
    mmapThreshold: TUNED_MMAP_THRESHOLD,
    trimThreshold: TUNED_TRIM_THRESHOLD,
  };
}

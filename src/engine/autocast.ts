/**
 * Mixed precision as torch.autocast: inside the region, libtorch runs convolutions and matmuls
 * in a lower precision (bf16 on CPU; fp16 or bf16 on CUDA) and keeps the precision-sensitive
 * ops (losses, reductions) in fp32, while the parameters and their gradients stay fp32.
 * Autocast is a per-thread switch in libtorch; every op runs on the thread that calls the
 * addon, which is the one this sets it on.
 */
import { native } from "./native.js";

export type AutocastDevice = "cpu" | "cuda";
export type AutocastDtype = "bfloat16" | "float16";

/** Runs fn with autocast on for the device type; synchronous only, like noGrad. */
export function autocast<T>(device: AutocastDevice, dtype: AutocastDtype, fn: () => T): T {
  const previous = native.autocastEnter(device, dtype);
  try {
    const result = fn();
    if (result instanceof Promise) {
      throw new Error("autocast cannot span an await: pass a synchronous callback");
    }
    return result;
  } finally {
    native.autocastExit(device, previous);
  }
}

export function isAutocastEnabled(device: AutocastDevice): boolean {
  return native.autocastEnabled(device);
}

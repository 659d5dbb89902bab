/** The training loop's side of a run's precision (train/precision.ts): autocast and scaling. */
import { bf16ConvolutionBlocked } from "../engine/cpu-kernels.js";
import { type AutocastDtype, autocast } from "../engine/index.js";
import { UserError } from "../errors.js";
import { GradScaler } from "../nn/optim/index.js";
import type { Precision } from "./precision.js";

const AUTOCAST_DTYPE: Record<Exclude<Precision, "fp32">, AutocastDtype> = {
  bf16: "bfloat16",
  fp16: "float16",
};

export interface TrainingPrecision {
  /** Runs the forward pass and the loss in the run's precision. */
  forward<T>(fn: () => T): T;
  /** Loss scaling for fp16; null for fp32 and bf16, whose range needs none. */
  scaler: GradScaler | null;
}

export function trainingPrecision(precision: Precision, device: string): TrainingPrecision {
  if (precision === "fp32") return { forward: (fn) => fn(), scaler: null };
  const deviceType = device.startsWith("cuda") ? "cuda" : "cpu";
  const blocked = deviceType === "cpu" && precision === "bf16" ? bf16ConvolutionBlocked() : null;
  if (blocked !== null) throw new UserError(`--precision bf16: ${blocked}`);
  const dtype = AUTOCAST_DTYPE[precision];
  return {
    forward: (fn) => autocast(deviceType, dtype, fn),
    scaler: precision === "fp16" ? new GradScaler() : null,
  };
}

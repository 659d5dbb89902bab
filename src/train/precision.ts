/**
 * A run's numeric precision: fp32, or mixed precision as PyTorch's automatic mixed precision
 * does it — autocast around the forward pass and the loss (not the backward pass, not the
 * optimizer step), bf16 on CPU, fp16 or bf16 on CUDA, and for fp16 dynamic loss scaling
 * (GradScaler) so small gradients survive. TF32 is a CUDA matmul/convolution mode, off unless
 * asked for, so that fp32 means fp32 on every device.
 */
export const PRECISIONS = ["fp32", "bf16", "fp16"] as const;
export type Precision = (typeof PRECISIONS)[number];

/** Why the device cannot run this precision, as one line naming the flag; null if it can. */
export function precisionRefusal(
  precision: Precision,
  tf32: boolean,
  device: string,
): string | null {
  const cuda = device.startsWith("cuda");
  if (!cuda && precision === "fp16") {
    return "--precision fp16: libtorch's CPU autocast runs bf16 only; use --precision bf16 on CPU, or fp16 with --device cuda";
  }
  if (!cuda && tf32) {
    return "--tf32 on: TF32 is a CUDA mode (Ampere and later GPUs); drop it on CPU, or use --device cuda";
  }
  return null;
}

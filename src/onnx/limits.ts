/**
 * What a model file may ask for. A model is untrusted input: every size is checked against these
 * before anything is allocated.
 */
import { totalmem } from "node:os";

/** protobuf's own limit on one message, and so on an ONNX file without external data. */
export const MAX_MODEL_FILE_BYTES = 2 ** 31 - 1;

/** The most bytes one tensor (a weight, a constant, a shape op's result) may take. */
export function maxTensorBytes(): number {
  return Math.min(2 ** 34, Math.floor(totalmem() / 2));
}

/** The element count of a shape, or null when a dim is negative or not an integer or it overflows. */
export function elementCount(dims: readonly number[]): number | null {
  let count = 1;
  for (const dim of dims) {
    if (!Number.isSafeInteger(dim) || dim < 0) return null;
    count *= dim;
    if (!Number.isSafeInteger(count)) return null;
  }
  return count;
}

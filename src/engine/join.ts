import { full } from "./creation.js";
import { native } from "./native.js";
import { Tensor } from "./tensor.js";

export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  return Tensor.wrap(
    native.cat(
      tensors.map((t) => t.handle),
      dim,
    ),
  );
}

export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  return Tensor.wrap(
    native.stack(
      tensors.map((t) => t.handle),
      dim,
    ),
  );
}

/**
 * Elementwise condition ? a : b, broadcasting; a and b may be numbers, which take the other
 * operand's dtype (float32 when both are numbers).
 */
export function where(condition: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  const like = typeof a === "number" ? (typeof b === "number" ? null : b) : a;
  const options = { dtype: like?.dtype ?? ("float32" as const), device: condition.device };
  const asTensor = (x: Tensor | number) => (typeof x === "number" ? full([], x, options) : x);
  const [left, right] = [asTensor(a), asTensor(b)];
  const result = Tensor.wrap(native.where(condition.handle, left.handle, right.handle));
  if (left !== a) left.dispose();
  if (right !== b) right.dispose();
  return result;
}

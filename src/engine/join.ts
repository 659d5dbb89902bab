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

/** Elementwise condition ? a : b, broadcasting; a and b may be numbers. */
export function where(condition: Tensor, a: Tensor | number, b: Tensor | number): Tensor {
  const operand = (x: Tensor | number) => (typeof x === "number" ? x : x.handle);
  return Tensor.wrap(native.where(condition.handle, operand(a), operand(b)));
}

/** Shared by the nn tests: fixture files and tolerant comparison against PyTorch's numbers. */

import type { Tensor } from "../../src/engine/index.js";
import { readSafetensors, type SafetensorsFile } from "../../src/io/safetensors.js";
import { worstViolation } from "../engine/fixture-tensors.js";

export const fixturePath = (name: string): string =>
  new URL(`./fixtures/${name}`, import.meta.url).pathname;

export const readFixture = (name: string): SafetensorsFile => readSafetensors(fixturePath(name));

/** Largest violation of |actual - expected| <= atol + rtol·|expected| over the elements. */
export function violation(
  actual: Tensor,
  expected: ArrayLike<number>,
  atol: number,
  rtol: number,
): number {
  return worstViolation(actual.toArray(), expected, atol, rtol);
}

export { PYTHON, pythonTorchUnavailable } from "../engine/pytorch-reference.js";

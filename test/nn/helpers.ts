/** Shared by the nn tests: fixture files and tolerant comparison against PyTorch's numbers. */

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
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

/** The interpreter with PyTorch 1.13 for fixture scripts (not the `python3` on PATH). */
export const PYTHON = "/usr/bin/python3";

/** Why Python's torch cannot be used here, or null when it can. */
export function pythonTorchUnavailable(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} does not exist`;
  const probe = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" });
  return probe.status === 0 ? null : `${PYTHON} cannot import torch`;
}

/**
 * PyTorch's numbers from scripts/fixtures/nn_ops.py: computed live when Python's torch is
 * installed, else test/nn/fixtures/nn_ops.json (see test/engine/pytorch-reference.ts).
 * Model layouts (names, shapes, parameter counts) do not depend on the CPU: they always come
 * from the committed file, so the tests that need only them do not run the script.
 */
import { readFileSync } from "node:fs";
import type { TensorJson } from "../engine/fixture-tensors.js";
import { type PyTorchReference, pytorchReference } from "../engine/pytorch-reference.js";

export interface BlockCase {
  state: Record<string, TensorJson>;
  input: TensorJson;
  output: TensorJson;
  grad_output: TensorJson;
  grad_input: TensorJson;
  final_state: Record<string, TensorJson>;
}

export interface OpsFixture {
  torch: string;
  init: Record<string, TensorJson>;
  losses: Record<
    string,
    { logits: TensorJson; target: TensorJson; loss: number; grad: TensorJson }
  >;
  optim: {
    start: TensorJson;
    grads: TensorJson[];
    cases: Record<
      string,
      {
        options: Record<string, number | boolean | number[]>;
        trajectory: TensorJson[];
        state: Record<string, TensorJson | number>;
      }
    >;
  };
  blocks: Record<string, BlockCase>;
  layouts: Record<string, { parameters: number; state: [string, number[]][] }>;
}

const committedPath = new URL("./fixtures/nn_ops.json", import.meta.url).pathname;
const read = (path: string) => JSON.parse(readFileSync(path, "utf8")) as OpsFixture;

/** The committed file: for what does not depend on the CPU (layouts, counts). */
export const committedOpsFixture = read(committedPath);

/** The numeric reference, and the numbers it holds; runs the script on first use. */
export function opsReference(): { reference: PyTorchReference; fixture: OpsFixture } {
  const reference = pytorchReference("nn_ops.py", committedPath, ["--without-layouts"]);
  return { reference, fixture: reference.live ? read(reference.path) : committedOpsFixture };
}

/** test/nn/fixtures/nn_ops.json, written by scripts/fixtures/nn_ops.py. */
import { readFileSync } from "node:fs";
import type { TensorJson } from "../engine/fixture-tensors.js";

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

export const opsFixture = JSON.parse(
  readFileSync(new URL("./fixtures/nn_ops.json", import.meta.url), "utf8"),
) as OpsFixture;

/**
 * Modules nnr's zoo does not have, written in PyTorch and exported to ONNX in training mode
 * (scripts/fixtures/onnx_models.py: a residual MLP with LayerNorm and GELU; a CNN with
 * BatchNorm, a grouped convolution, Dropout(0) and global pooling), trained by nnr from the
 * file: the loss and every gradient on a batch, BatchNorm's running statistics after it, and
 * the losses of five SGD steps (momentum 0.9) on the same batches, against PyTorch's.
 *
 * Tolerances, live and committed alike: the exported graph is not PyTorch's op sequence
 * (GELU arrives as Div, Erf, Add, Mul, Mul; BatchNorm's float32 attributes), so even on the
 * same libtorch the last bits differ: loss |Δ| ≤ 1e-5 + 1e-5·|loss|; gradients and running
 * statistics |Δ| ≤ 1e-5 + 1e-4·|x| (a few float32 ulps through two to five layers); the five
 * SGD losses ≤ 1e-4 + 1e-4·|loss| (momentum carries each step's rounding into the next).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  determinismState,
  F,
  Generator,
  liveTensors,
  setThreads,
  tidy,
} from "../../src/engine/index.js";
import { SGD } from "../../src/nn/index.js";
import { OnnxModule, readOnnxModel } from "../../src/onnx/index.js";
import { fromJson, type TensorJson, worstViolation } from "../engine/fixture-tensors.js";
import { PYTHON, pytorchReference } from "../engine/pytorch-reference.js";

/** The script also needs Python's onnx (Debian's python3-onnx) to read the exported weights back. */
const onnxMissing =
  spawnSync(PYTHON, ["-c", "import onnx"]).status === 0 ? null : `${PYTHON} has no onnx module`;
const reference = pytorchReference(
  "onnx_models.py",
  new URL("./fixtures/onnx_models.json", import.meta.url).pathname,
  [],
  onnxMissing,
);

interface Case {
  name: string;
  file: string;
  inputs: TensorJson[];
  targets: TensorJson[];
  loss: number;
  grads: Record<string, TensorJson>;
  buffers: Record<string, TensorJson>;
  sgdLosses: number[];
}
interface Fixture {
  lr: number;
  momentum: number;
  cases: Case[];
}

const fixture = JSON.parse(readFileSync(reference.path, "utf8")) as Fixture;
const GRADIENTS = { atol: 1e-5, rtol: 1e-4 };

function lossOn(module: OnnxModule, c: Case, step: number) {
  const logits = module.forward(fromJson(c.inputs[step]!));
  return F.crossEntropy(logits, fromJson(c.targets[step]!));
}

describe(`ONNX-imported PyTorch modules train as in PyTorch (${reference.source})`, () => {
  const threadsBefore = determinismState().threads;
  beforeAll(() => setThreads(1));
  afterAll(() => setThreads(threadsBefore));

  for (const c of fixture.cases) {
    it(`${c.name}: loss, every gradient, running statistics and five SGD steps`, () => {
      const before = liveTensors();
      const file = join(dirname(reference.path), c.file);
      const module = new OnnxModule(readOnnxModel(file), {
        dropoutGenerator: new Generator(0, "dropout"),
      });
      module.train();
      expect([...module.namedParameters()].map(([name]) => name).sort()).toEqual(
        Object.keys(c.grads).sort(),
      );
      tidy(() => {
        const loss = lossOn(module, c, 0);
        expect(Math.abs(loss.item() - c.loss)).toBeLessThanOrEqual(1e-5 + 1e-5 * Math.abs(c.loss));
        loss.backward();
        for (const [name, parameter] of module.namedParameters()) {
          const grad = parameter.grad!.toArray();
          const worst = worstViolation(grad, c.grads[name]!.data, GRADIENTS.atol, GRADIENTS.rtol);
          expect(worst, `gradient of ${name}`).toBe(0);
        }
        const state = module.stateDict();
        for (const [name, expected] of Object.entries(c.buffers)) {
          const worst = worstViolation(state.get(name)!.toArray(), expected.data, 1e-5, 1e-4);
          expect(worst, `buffer ${name}`).toBe(0);
        }
      });
      const optimizer = new SGD(module.parameters(), {
        lr: fixture.lr,
        momentum: fixture.momentum,
      });
      const losses = c.sgdLosses.map((_, step) =>
        tidy(() => {
          optimizer.zeroGrad();
          const loss = lossOn(module, c, step);
          loss.backward();
          optimizer.step();
          return loss.item();
        }),
      );
      losses.forEach((loss, step) => {
        const expected = c.sgdLosses[step]!;
        expect(Math.abs(loss - expected), `SGD step ${step + 1}`).toBeLessThanOrEqual(
          1e-4 + 1e-4 * Math.abs(expected),
        );
      });
      optimizer.dispose();
      module.dispose();
      expect(liveTensors()).toBe(before);
    });
  }
});

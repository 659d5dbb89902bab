/**
 * Step-by-step parity with PyTorch: SmallCNN, with and without BatchNorm, from the same initial
 * weights on the same batches, after five Adam or SGD steps (scripts/fixtures/nn_parity.py).
 * Tolerance on every weight, buffer and per-step loss: |ours - torch| <= 1e-6 + 1e-5·|torch|.
 * Both sides run the same libtorch's float32 kernels on one thread in the same op order: on
 * the machine that wrote the fixture the match is exact (tolerance 0 passes); the tolerance
 * leaves room for another CPU's vector kernels.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  determinismState,
  Generator,
  liveTensors,
  setThreads,
  type Tensor,
  tidy,
} from "../../src/engine/index.js";
import { fromSafetensorsEntry } from "../../src/nn/checkpoint.js";
import { categoricalCrossEntropy } from "../../src/nn/losses.js";
import { createModel } from "../../src/nn/models/index.js";
import { Adam, type Optimizer, SGD } from "../../src/nn/optim/index.js";
import { readFixture, violation } from "./helpers.js";

const ATOL = 1e-6;
const RTOL = 1e-5;

interface Config {
  bn: boolean;
  optimizer: "adam" | "sgd";
  lr: number;
  betas?: [number, number];
  eps?: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weight_decay: number;
}

const fixture = readFixture("smallcnn_parity.safetensors");
const configs = JSON.parse(fixture.metadata.configs!) as Record<string, Config>;
const steps = Number(fixture.metadata.steps);
const entry = (name: string) => {
  const found = fixture.tensors.get(name);
  if (found === undefined) throw new Error(`fixture tensor ${name} missing`);
  return found;
};
const underPrefix = (prefix: string) =>
  [...fixture.tensors.keys()]
    .filter((name) => name.startsWith(prefix))
    .map((name) => name.slice(prefix.length));

function makeOptimizer(params: Tensor[], config: Config): Optimizer {
  if (config.optimizer === "adam") {
    return new Adam(params, {
      lr: config.lr,
      betas: config.betas!,
      eps: config.eps!,
      weightDecay: config.weight_decay,
    });
  }
  return new SGD(params, {
    lr: config.lr,
    momentum: config.momentum!,
    dampening: config.dampening!,
    nesterov: config.nesterov!,
    weightDecay: config.weight_decay,
  });
}

describe("SmallCNN trains step for step like PyTorch", () => {
  const threadsBefore = determinismState().threads;
  beforeAll(() => setThreads(1));
  afterAll(() => setThreads(threadsBefore));

  it("has the four required configurations and more", () => {
    expect(Object.keys(configs)).toEqual(
      expect.arrayContaining(["plain_adam", "plain_sgd", "bn_adam", "bn_sgd"]),
    );
    expect(steps).toBeGreaterThanOrEqual(5);
  });

  for (const [name, config] of Object.entries(configs)) {
    it(name, () => {
      const before = liveTensors();
      const model = createModel("smallcnn", {
        generator: new Generator(0, "init"),
        batchNorm: config.bn,
      });
      const optimizer = makeOptimizer(model.parameters(), config);
      const tag = config.bn ? "bn" : "plain";
      tidy(() => {
        const initial = new Map(
          underPrefix(`init.${tag}.`).map((key) => [
            key,
            fromSafetensorsEntry(entry(`init.${tag}.${key}`)),
          ]),
        );
        model.loadStateDict(initial);
      });
      const losses: number[] = [];
      for (let step = 0; step < steps; step++) {
        losses.push(
          tidy(() => {
            optimizer.zeroGrad();
            const x = fromSafetensorsEntry(entry(`batch.${step}.x`));
            const y = fromSafetensorsEntry(entry(`batch.${step}.y`));
            const loss = categoricalCrossEntropy(model.forward(x), y);
            loss.backward();
            optimizer.step();
            return loss.item();
          }),
        );
      }
      const expectedLosses = entry(`loss.${name}`).data as Float32Array;
      tidy(() => {
        const state = model.stateDict();
        const expectedKeys = underPrefix(`final.${name}.`);
        expect([...state.keys()].sort()).toEqual([...expectedKeys].sort());
        for (const key of expectedKeys) {
          const expected = entry(`final.${name}.${key}`).data;
          const worst = violation(state.get(key)!, Array.from(expected, Number), ATOL, RTOL);
          expect(worst, `${key} differs from PyTorch`).toBe(0);
        }
        // The weights did move: a test that compares unchanged weights proves nothing.
        const initialWeight = Array.from(entry(`init.${tag}.conv1.weight`).data as Float32Array);
        expect(violation(state.get("conv1.weight")!, initialWeight, 0, 0)).toBeGreaterThan(0);
      });
      expect(losses.length).toBe(expectedLosses.length);
      expect(
        Math.max(
          ...losses.map(
            (loss, i) =>
              Math.abs(loss - expectedLosses[i]!) - (ATOL + RTOL * Math.abs(expectedLosses[i]!)),
          ),
        ),
      ).toBeLessThanOrEqual(0);
      optimizer.dispose();
      model.dispose();
      expect(liveTensors()).toBe(before);
    });
  }
});

/**
 * Adam's one-call step (native/src/optim.cc) against the per-op update it replaces
 * (adamUpdate, itself checked against torch.optim in optim.test.ts): the same ATen ops in the
 * same order on this CPU, so the parameters and both moments must be bit-identical (tolerance
 * 0), over several steps, with and without weight decay, in both memory layouts.
 */
import { describe, expect, it } from "vitest";
import {
  fusedAdamStep,
  Generator,
  keep,
  liveTensors,
  randn,
  type Tensor,
  tidy,
} from "../../src/engine/index.js";
import { Adam, adamUpdate } from "../../src/nn/optim/adam.js";

const SHAPES = [[16, 3, 3, 3], [16], [32, 16, 3, 3], [10, 32], [10]];

function params(seed: number, format: "contiguous" | "channels_last"): Tensor[] {
  const g = new Generator(seed, "init");
  return SHAPES.map((shape) =>
    keep(
      tidy(() => {
        const p = randn(shape, g);
        return (shape.length === 4 ? p.contiguous(format) : p).requiresGrad_();
      }),
    ),
  );
}

const bits = (t: Tensor): number[] =>
  tidy(() => Array.from(new Uint32Array(t.contiguous().dataSync().buffer)));

for (const weightDecay of [0, 0.01]) {
  for (const format of ["contiguous", "channels_last"] as const) {
    describe(`fused Adam step, weight decay ${weightDecay}, ${format}`, () => {
      it("leaves the bits of the per-op update", () => {
        const before = liveTensors();
        const fused = params(1, format);
        const perOp = params(1, format);
        const options = { lr: 4e-4, eps: 1e-7, weightDecay };
        const optimizer = new Adam(fused, options);
        const hyper = { lr: 4e-4, beta1: 0.9, beta2: 0.999, eps: 1e-7, weightDecay };
        const moments = perOp.map((p) => ({
          expAvg: keep(tidy(() => p.detach().clone().zero_())),
          expAvgSq: keep(tidy(() => p.detach().clone().zero_())),
          step: 0,
        }));
        const grads = new Generator(2, "input");
        for (let step = 0; step < 4; step++) {
          tidy(() => {
            SHAPES.forEach((shape, i) => {
              const grad = randn(shape, grads);
              fused[i]!.grad = grad;
              perOp[i]!.grad = grad;
            });
            optimizer.step();
            perOp.forEach((p, i) => {
              adamUpdate(p, p.grad!, moments[i]!, hyper);
            });
          });
          fused.forEach((p, i) => {
            expect(bits(p), `step ${step + 1}, param ${i}`).toEqual(bits(perOp[i]!));
          });
        }
        const state = optimizer.stateDict();
        moments.forEach((m, i) => {
          expect(bits(state.tensors.get(`state.${i}.exp_avg`)!)).toEqual(bits(m.expAvg));
          expect(bits(state.tensors.get(`state.${i}.exp_avg_sq`)!)).toEqual(bits(m.expAvgSq));
          expect(state.numbers[`state.${i}.step`]).toBe(4);
        });
        optimizer.dispose();
        for (const t of [...fused, ...perOp]) t.dispose();
        for (const m of moments) for (const t of [m.expAvg, m.expAvgSq]) t.dispose();
        expect(liveTensors()).toBe(before);
      });
    });
  }
}

describe("fused Adam step, bad calls", () => {
  it("names the mismatch instead of crashing", () => {
    const [a, b] = params(3, "contiguous");
    expect(() =>
      fusedAdamStep(
        [{ param: a!, grad: b!, expAvg: a!, expAvgSq: b!, stepSize: 1, biasCorrection2Sqrt: 1 }],
        { beta1: 0.9, beta2: 0.999, eps: 1e-7, weightDecay: 0 },
      ),
    ).toThrow(/shape|size|match/i);
    for (const t of [a!, b!]) t.dispose();
  });
});

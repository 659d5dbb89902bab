/**
 * Optimizer update rules against torch.optim (foreach=False, 1.13): one parameter, three given
 * gradients, the parameter after every step and the final state, |Δ| <= atol + rtol·|torch|.
 * Plus state save/restore and memory.
 * - Computed live when Python's torch is installed (same libtorch, this CPU): exact, tolerance
 *   0 (the same elementwise kernels in the same order).
 * - Else the committed fixture from another CPU: atol 1e-7, rtol 1e-6, a few float32 ulps
 *   (elementwise updates, three steps, no reductions: other vector kernels can only change
 *   fused multiply-adds and the last bit of √, ÷); with the non-vectorised kernels
 *   (ATEN_CPU_CAPABILITY=default) the AVX2-written fixture uses at most 18% of it.
 */
import { describe, expect, it } from "vitest";
import { keep, liveTensors, noGrad, type Tensor, tidy } from "../../src/engine/index.js";
import { Adam, type Optimizer, SGD } from "../../src/nn/optim/index.js";
import { fromJson } from "../engine/fixture-tensors.js";
import { violation } from "./helpers.js";
import { opsReference } from "./ops-fixture.js";

const { reference, fixture: opsFixture } = opsReference();
const LIVE_TOLERANCE = { atol: 0, rtol: 0 };
const ACROSS_CPUS = { atol: 1e-7, rtol: 1e-6 };
const { atol: ATOL, rtol: RTOL } = reference.live ? LIVE_TOLERANCE : ACROSS_CPUS;
const { start, grads, cases } = opsFixture.optim;

function build(name: string, param: Tensor): Optimizer {
  const o = cases[name]!.options as Record<string, number | boolean | number[]>;
  if (name.startsWith("adam")) {
    return new Adam([param], {
      lr: o.lr as number,
      ...(o.betas ? { betas: o.betas as [number, number] } : {}),
      ...(o.eps !== undefined ? { eps: o.eps as number } : {}),
      ...(o.weight_decay !== undefined ? { weightDecay: o.weight_decay as number } : {}),
    });
  }
  return new SGD([param], {
    lr: o.lr as number,
    momentum: (o.momentum as number) ?? 0,
    dampening: (o.dampening as number) ?? 0,
    nesterov: (o.nesterov as boolean) ?? false,
    weightDecay: (o.weight_decay as number) ?? 0,
  });
}

const newParam = (): Tensor => keep(fromJson(start).requiresGrad_());

describe(`update rules match torch.optim (${reference.source})`, () => {
  for (const [name, fixture] of Object.entries(cases)) {
    it(name, () => {
      const before = liveTensors();
      const param = newParam();
      const optimizer = build(name, param);
      grads.forEach((grad, step) => {
        tidy(() => {
          param.grad = fromJson(grad);
          optimizer.step();
        });
        expect(
          violation(param, fixture.trajectory[step]!.data, ATOL, RTOL),
          `step ${step + 1}`,
        ).toBe(0);
      });
      const saved = optimizer.stateDict();
      for (const [key, expected] of Object.entries(fixture.state)) {
        if (typeof expected === "number")
          expect(saved.numbers[`state.0.${key}`], key).toBe(expected);
        else
          expect(
            violation(saved.tensors.get(`state.0.${key}`)!, expected.data, ATOL, RTOL),
            key,
          ).toBe(0);
      }
      optimizer.dispose();
      param.dispose();
      expect(liveTensors()).toBe(before);
    });
  }
});

describe("optimizer state", () => {
  it("a restored optimizer continues exactly as the original", () => {
    const before = liveTensors();
    for (const name of ["adam_wd", "sgd_nesterov_wd"]) {
      const a = newParam();
      const b = newParam();
      const first = build(name, a);
      const second = build(name, b);
      second.lr = 123; // overwritten by the saved hyperparameters
      tidy(() => {
        a.grad = fromJson(grads[0]!);
        first.step();
      });
      tidy(() => {
        noGrad(() => b.copy_(a.detach()));
      });
      second.loadStateDict(first.stateDict());
      expect(second.lr).toBe(first.lr);
      for (const [p, o] of [
        [a, first],
        [b, second],
      ] as const) {
        tidy(() => {
          p.grad = fromJson(grads[1]!);
          o.step();
        });
      }
      expect(tidy(() => a.equal(b))).toBe(true);
      for (const t of [a, b]) t.dispose();
      first.dispose();
      second.dispose();
    }
    expect(liveTensors()).toBe(before);
  });

  it("skips parameters without a gradient and zeroGrad drops gradients", () => {
    const p = newParam();
    const optimizer = new Adam([p]);
    tidy(() => {
      const copy = p.detach().clone();
      optimizer.step();
      expect(p.equal(copy)).toBe(true);
      expect(optimizer.stateDict().tensors.size).toBe(0);
      p.grad = fromJson(grads[0]!);
      optimizer.zeroGrad();
      expect(p.grad).toBeNull();
    });
    optimizer.dispose();
    p.dispose();
  });

  it("rejects bad settings and mismatched state", () => {
    const p = newParam();
    expect(() => new SGD([p], { lr: 0.1, nesterov: true })).toThrow(/Nesterov/);
    expect(() => new Adam([], {})).toThrow(/no parameters/);
    const optimizer = new Adam([p]);
    expect(() =>
      optimizer.loadStateDict({ tensors: new Map(), numbers: { "state.3.step": 1 } }),
    ).toThrow(/parameter 3/);
    optimizer.dispose();
    p.dispose();
  });
});

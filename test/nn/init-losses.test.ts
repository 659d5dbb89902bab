/**
 * Initialisers draw PyTorch's numbers for a seed (torch.nn.init with the same generator state),
 * and the losses equal PyTorch's value and gradient.
 * - Computed live when Python's torch is installed (same libtorch, this CPU): the draws are
 *   bit-identical and so are the losses (tolerance 0: same kernels, same order).
 * - Else the committed fixture, from another CPU. The draws are the same random bits, but
 *   turning them into floats (bound·(2u − 1), Box-Muller's log, cos and √) is compiled per CPU
 *   capability: fused multiply-adds with AVX2 and AVX-512, not without; a vectorised Box-Muller
 *   for 16 or more normals with AVX2 only. So each draw may differ in its last bits:
 *   |Δ| <= 4e-6·max|draw|, where a wrong draw is off by about max|draw|. The non-vectorised
 *   kernels (ATEN_CPU_CAPABILITY=default) differ from the AVX2-written fixture by up to
 *   3.3e-7·max|draw| (Kaiming normal; uniform draws 1e-7).
 *   Losses: |Δ| <= 1e-6 + 1e-5·|torch| (softmax and a mean over 6×5 logits: a few ulps), which
 *   the non-vectorised kernels pass at a tenth.
 */
import { describe, expect, it } from "vitest";
import { empty, Generator, liveTensors, tidy } from "../../src/engine/index.js";
import {
  fans,
  glorotUniform_,
  kaimingNormal_,
  kaimingUniform_,
  ones_,
  truncatedNormal_,
  zeros_,
} from "../../src/nn/init.js";
import { binaryCrossEntropy, categoricalCrossEntropy } from "../../src/nn/losses.js";
import { fromJson, worstViolation } from "../engine/fixture-tensors.js";
import { violation } from "./helpers.js";
import { opsReference } from "./ops-fixture.js";

const { reference, fixture: opsFixture } = opsReference();
/** |Δ| <= DRAW_RTOL·max|draw|: 0 when live, the last bits of the largest draw otherwise. */
const DRAW_RTOL = reference.live ? 0 : 4e-6;
const LIVE_LOSS = { atol: 0, rtol: 0 };
const ACROSS_CPUS_LOSS = { atol: 1e-6, rtol: 1e-5 };
const LOSS = reference.live ? LIVE_LOSS : ACROSS_CPUS_LOSS;

describe(`initialisers (${reference.source})`, () => {
  const draws: Record<string, () => number[]> = {
    glorot_uniform_seed5_16x8x3x3: () =>
      glorotUniform_(empty([16, 8, 3, 3]), new Generator(5)).toArray(),
    kaiming_uniform_fanin_relu_seed6_32x16: () =>
      kaimingUniform_(empty([32, 16]), new Generator(6), {
        mode: "fanIn",
        nonlinearity: "relu",
      }).toArray(),
    kaiming_normal_fanout_relu_seed7_8x4x3x3: () =>
      kaimingNormal_(empty([8, 4, 3, 3]), new Generator(7), {
        mode: "fanOut",
        nonlinearity: "relu",
      }).toArray(),
  };
  for (const [name, draw] of Object.entries(draws)) {
    it(`${name} equals torch.nn.init`, () => {
      const expected = opsFixture.init[name]!.data;
      const scale = Math.max(...expected.map(Math.abs));
      tidy(() => expect(worstViolation(draw(), expected, DRAW_RTOL * scale, 0)).toBe(0));
    });
  }

  it("covers every fixture case", () => {
    expect(Object.keys(draws).sort()).toEqual(Object.keys(opsFixture.init).sort());
  });

  it("computes fans as torch does (Keras's kernel layout gives the same)", () => {
    expect(fans([16, 8, 3, 3])).toEqual({ fanIn: 72, fanOut: 144 });
    expect(fans([10, 32])).toEqual({ fanIn: 32, fanOut: 10 });
    expect(() => fans([5])).toThrow(/at least 2 dimensions/);
  });

  it("glorot draws stay within ±√(6/(fanIn+fanOut)); zeros and ones fill", () => {
    const before = liveTensors();
    tidy(() => {
      const bound = Math.sqrt(6 / (72 + 144));
      const w = glorotUniform_(empty([16, 8, 3, 3]), new Generator(1));
      expect(w.abs().max().item()).toBeLessThanOrEqual(bound);
      expect(w.abs().max().item()).toBeGreaterThan(0.9 * bound);
      expect(zeros_(empty([3])).toArray()).toEqual([0, 0, 0]);
      expect(ones_(empty([2])).toArray()).toEqual([1, 1]);
    });
    expect(liveTensors()).toBe(before);
  });
});

describe("truncated normal", () => {
  it("stays within ±2·std, spreads ≈ 0.88·std, and repeats for a seed", () => {
    const before = liveTensors();
    tidy(() => {
      const draw = (seed: number) => truncatedNormal_(empty([200, 100]), 0.5, new Generator(seed));
      const w = draw(3);
      expect(w.abs().max().item()).toBeLessThanOrEqual(1);
      expect(w.abs().max().item()).toBeGreaterThan(0.99);
      expect(w.std().item() / 0.5).toBeCloseTo(0.8796, 2);
      expect(Math.abs(w.mean().item())).toBeLessThan(0.01);
      expect(w.equal(draw(3))).toBe(true);
      expect(w.equal(draw(4))).toBe(false);
    });
    expect(liveTensors()).toBe(before);
  });
});

describe(`losses on logits match PyTorch (${reference.source})`, () => {
  const losses = {
    cce: (x: ReturnType<typeof fromJson>, t: ReturnType<typeof fromJson>) =>
      categoricalCrossEntropy(x, t),
    "cce_smooth0.1": (x: ReturnType<typeof fromJson>, t: ReturnType<typeof fromJson>) =>
      categoricalCrossEntropy(x, t, { labelSmoothing: 0.1 }),
    cce_soft_targets: (x: ReturnType<typeof fromJson>, t: ReturnType<typeof fromJson>) =>
      categoricalCrossEntropy(x, t),
    bce: (x: ReturnType<typeof fromJson>, t: ReturnType<typeof fromJson>) =>
      binaryCrossEntropy(x, t),
  };
  for (const [name, loss] of Object.entries(losses)) {
    it(name, () => {
      const before = liveTensors();
      const fixture = opsFixture.losses[name]!;
      tidy(() => {
        const logits = fromJson(fixture.logits).requiresGrad_();
        const value = loss(logits, fromJson(fixture.target));
        expect(Math.abs(value.item() - fixture.loss)).toBeLessThanOrEqual(
          LOSS.atol + LOSS.rtol * Math.abs(fixture.loss),
        );
        value.backward();
        expect(violation(logits.grad!, fixture.grad.data, LOSS.atol, LOSS.rtol)).toBe(0);
      });
      expect(liveTensors()).toBe(before);
    });
  }

  it("label smoothing changes the loss and is range-checked", () => {
    expect(opsFixture.losses["cce_smooth0.1"]!.loss).not.toBeCloseTo(
      opsFixture.losses.cce!.loss,
      3,
    );
    tidy(() => {
      const fixture = opsFixture.losses.cce!;
      expect(() =>
        categoricalCrossEntropy(fromJson(fixture.logits), fromJson(fixture.target), {
          labelSmoothing: 1.5,
        }),
      ).toThrow(/labelSmoothing must be in \[0, 1\]/);
    });
  });
});

/**
 * Generators give PyTorch's numbers for the same seed, and their state round-trips.
 * The reference is computed live by scripts/fixtures/engine_random.py when Python's torch is
 * installed, else read from the committed fixture. Either way the comparison is exact, on any
 * CPU: the draws are the same Mersenne-Twister bits, and these cases keep clear of the
 * CPU-dependent conversions to float: fewer than 16 normals (from 16 on, libtorch's AVX2
 * kernels use a vectorised Box-Muller, all others a scalar one: test/nn/init-losses.test.ts
 * covers that case with a tolerance), uniform ranges whose width is a power of two (the
 * scale-and-shift is exact with or without fused multiply-add). The non-vectorised kernels
 * (ATEN_CPU_CAPABILITY=default) reproduce the AVX2-written fixture bit for bit.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  F,
  Generator,
  normal_,
  ones,
  rand,
  randint,
  randn,
  randperm,
  tidy,
  uniform_,
  zeros,
} from "../../src/engine/index.js";
import { worstViolation } from "./fixture-tensors.js";
import { pytorchReference } from "./pytorch-reference.js";

const reference = pytorchReference(
  "engine_random.py",
  new URL("./fixtures/random.json", import.meta.url).pathname,
);
const fixture = JSON.parse(readFileSync(reference.path, "utf8")) as {
  cases: Record<string, number[]>;
};
const expected = (name: string): number[] => {
  const values = fixture.cases[name];
  if (values === undefined) throw new Error(`fixture case ${name} missing`);
  return values;
};

describe(`generators match torch.Generator bit for bit (${reference.source})`, () => {
  const draws: Record<string, () => number[]> = {
    rand_seed7_2x3: () => rand([2, 3], new Generator(7)).toArray(),
    randn_seed42_5: () => randn([5], new Generator(42)).toArray(),
    randint_seed3_0_10_8: () => randint(0, 10, [8], new Generator(3)).toArray(),
    randperm_seed11_10: () => randperm(10, new Generator(11)).toArray(),
    "uniform_seed5_-2_2_6": () => uniform_(zeros([6]), -2, 2, new Generator(5)).toArray(),
    normal_seed9_1_3_6: () => normal_(zeros([6]), 1, 3, new Generator(9)).toArray(),
    "dropout_mask_seed13_p0.25_10": () => F.dropout(ones([10]), 0.25, new Generator(13)).toArray(),
  };

  for (const [name, draw] of Object.entries(draws)) {
    it(name, () => {
      // Exact equality: same generator algorithm, same float32 rounding.
      tidy(() => expect(worstViolation(draw(), expected(name), 0, 0)).toBe(0));
    });
  }

  it("covers every fixture case", () => {
    expect(Object.keys(draws).sort()).toEqual(Object.keys(fixture.cases).sort());
  });
});

describe("generator state", () => {
  it("restoring a saved state repeats the same draws", () => {
    tidy(() => {
      const generator = new Generator(2024, "shuffle");
      randn([17], generator);
      const state = generator.getState();
      const first = randn([32], generator).toArray();
      const further = randn([32], generator).toArray();
      generator.setState(state);
      expect(randn([32], generator).toArray()).toEqual(first);
      expect(first).not.toEqual(further);
    });
  });

  it("state moves between generators and keeps the seed", () => {
    tidy(() => {
      const a = new Generator(99);
      const b = new Generator(1);
      rand([5], a);
      b.setState(a.getState());
      expect(rand([8], b).toArray()).toEqual(rand([8], a).toArray());
      expect(b.seed).toBe(99);
    });
  });

  it("different seeds give different draws; names are recorded", () => {
    tidy(() => {
      const init = new Generator(0, "init");
      expect(init.name).toBe("init");
      expect(randn([8], init).toArray()).not.toEqual(randn([8], new Generator(1)).toArray());
    });
  });

  it("rejects seeds that are not integers in [0, 2^53)", () => {
    expect(() => new Generator(-1)).toThrow(/seed must be an integer/);
    expect(() => new Generator(1.5)).toThrow(/seed must be an integer/);
  });

  it("dropout in eval mode, or with p=0, is the identity", () => {
    tidy(() => {
      const x = randn([6], new Generator(1));
      expect(F.dropout(x, 0.5, new Generator(2), false).toArray()).toEqual(x.toArray());
      expect(F.dropout(x, 0, new Generator(2)).toArray()).toEqual(x.toArray());
    });
  });
});

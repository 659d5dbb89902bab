import { describe, expect, it } from "vitest";
import { deriveSeed, RandomStream, shuffleInPlace } from "../../src/random/stream.js";

describe("RandomStream (xoshiro128**)", () => {
  it("matches the reference C implementation from state {1, 2, 3, 4}", () => {
    // Output of Blackman & Vigna's xoshiro128starstar.c, compiled with gcc.
    const rng = RandomStream.fromState([1, 2, 3, 4]);
    const outputs = Array.from({ length: 8 }, () => rng.nextUint32());
    expect(outputs).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849,
    ]);
  });

  it("expands seeds with splitmix64 (reference output for seed 0)", () => {
    // splitmix64 from seed 0: first outputs 16294208416658607535, 7960286522194355700.
    const first = 16294208416658607535n;
    const second = 7960286522194355700n;
    const expected = [first & 0xffffffffn, first >> 32n, second & 0xffffffffn, second >> 32n].map(
      Number,
    );
    expect(RandomStream.fromSeed64(0n).getState()).toEqual(expected);
  });

  it("restores a JSON round-tripped state to the same stream", () => {
    const rng = RandomStream.named(7, "shuffle");
    for (let i = 0; i < 13; i++) rng.nextUint32();
    const saved = JSON.parse(JSON.stringify(rng.getState()));
    const ahead = Array.from({ length: 20 }, () => rng.nextUint32());
    const restored = RandomStream.fromState(saved);
    expect(Array.from({ length: 20 }, () => restored.nextUint32())).toEqual(ahead);
  });

  it("derives independent streams per name and per seed, identical for the same pair", () => {
    const draw = (seed: number, name: string) => {
      const rng = RandomStream.named(seed, name);
      return Array.from({ length: 4 }, () => rng.nextUint32());
    };
    expect(draw(0, "shuffle")).toEqual(draw(0, "shuffle"));
    expect(draw(0, "shuffle")).not.toEqual(draw(0, "augment"));
    expect(draw(0, "shuffle")).not.toEqual(draw(1, "shuffle"));
    expect(deriveSeed(0, "shuffle")).not.toBe(deriveSeed(0, "augment"));
    expect(() => RandomStream.named(-1, "shuffle")).toThrow(RangeError);
    expect(() => RandomStream.named(1.5, "shuffle")).toThrow(RangeError);
  });

  it("nextFloat stays in [0, 1) and nextInt in [0, n)", () => {
    const rng = RandomStream.named(3, "test");
    for (let i = 0; i < 10_000; i++) {
      const x = rng.nextFloat();
      expect(x >= 0 && x < 1).toBe(true);
      const k = rng.nextInt(7);
      expect(Number.isInteger(k) && k >= 0 && k < 7).toBe(true);
    }
    expect(rng.nextInt(1)).toBe(0);
    expect(() => rng.nextInt(0)).toThrow(RangeError);
  });

  it("nextInt has no modulo bias where plain modulo would be badly biased", () => {
    // n = 3·2^30: plain `draw % n` would make values below 2^30 twice as likely (1/2 instead of 1/3).
    const rng = RandomStream.named(11, "bias");
    const n = 3 * 2 ** 30;
    const draws = 30_000;
    let low = 0;
    for (let i = 0; i < draws; i++) if (rng.nextInt(n) < 2 ** 30) low++;
    expect(Math.abs(low / draws - 1 / 3)).toBeLessThan(0.015);
  });

  it("nextInt is uniform over small ranges (chi-square, 9 degrees of freedom)", () => {
    const rng = RandomStream.named(5, "uniform");
    const counts = new Array(10).fill(0);
    const draws = 100_000;
    for (let i = 0; i < draws; i++) counts[rng.nextInt(10)]++;
    const expected = draws / 10;
    const chiSquare = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    expect(chiSquare).toBeLessThan(27.88); // p = 0.001
  });

  it("shuffleInPlace gives a permutation that depends on the generator", () => {
    const a = Int32Array.from({ length: 50 }, (_, i) => i);
    const b = Int32Array.from(a);
    shuffleInPlace(a, RandomStream.named(1, "shuffle"));
    shuffleInPlace(b, RandomStream.named(2, "shuffle"));
    expect(Array.from(a).sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(a)).not.toEqual(Array.from(b));
  });
});

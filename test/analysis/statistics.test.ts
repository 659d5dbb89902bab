import { describe, expect, it } from "vitest";
import { quantile } from "../../src/analysis/statistics/stats.js";
import { RandomStream } from "../../src/random/stream.js";

describe("seeded generator", () => {
  it("repeats for a seed and differs between seeds", () => {
    const a = RandomStream.named(7, "simulation");
    const b = RandomStream.named(7, "simulation");
    const c = RandomStream.named(8, "simulation");
    const drawsA = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(drawsA);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(drawsA);
  });

  it("draws uniformly: mean and bucket counts within sampling error", () => {
    const rng = RandomStream.named(1, "simulation");
    const n = 100_000;
    const buckets = new Array<number>(10).fill(0);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const x = rng.nextFloat();
      sum += x;
      buckets[rng.nextInt(10)]!++;
    }
    // std of the mean of U(0,1) is sqrt(1/12/n) = 0.0009; 5 sigma
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(0.0046);
    // each bucket ~ Binomial(n, 0.1): std 95; 5 sigma
    for (const count of buckets) expect(Math.abs(count - n / 10)).toBeLessThan(475);
  });
});

describe("quantile", () => {
  it("interpolates linearly like numpy", () => {
    expect(quantile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(quantile([5], 0.9)).toBe(5);
  });
});

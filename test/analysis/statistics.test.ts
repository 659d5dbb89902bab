import { describe, expect, it } from "vitest";
import {
  bootstrapContrast,
  bootstrapOfPairs,
  bootstrapOfValues,
} from "../../src/analysis/bootstrap.js";
import { pairMatrix } from "../../src/analysis/metrics/pairwise.js";
import { createRng } from "../../src/analysis/prng.js";
import { brownForsythe } from "../../src/analysis/spread-tests.js";
import { mean, quantile, stdSample } from "../../src/analysis/stats.js";

const options = { resamples: 2000, level: 0.95 };

describe("seeded generator", () => {
  it("repeats for a seed and differs between seeds", () => {
    const a = createRng(7);
    const b = createRng(7);
    const c = createRng(8);
    const drawsA = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).toEqual(drawsA);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).not.toEqual(drawsA);
  });

  it("draws uniformly: mean and bucket counts within sampling error", () => {
    const rng = createRng(1);
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

describe("bootstrap", () => {
  it("is reproducible from its seed and brackets the estimate", () => {
    const values = [0.71, 0.73, 0.7, 0.74, 0.72, 0.69, 0.75, 0.71, 0.73, 0.72];
    const first = bootstrapOfValues(values, stdSample, createRng(42), options);
    const again = bootstrapOfValues(values, stdSample, createRng(42), options);
    expect(again).toEqual(first);
    expect(first.value).toBeCloseTo(stdSample(values), 12);
    expect(first.low!).toBeLessThan(first.value);
    expect(first.high!).toBeGreaterThan(first.value);
    expect(first.low!).toBeGreaterThan(0);
  });

  it("covers a known mean at about the nominal rate", () => {
    // 200 samples of 10 draws from U(0,1): the 95% interval of the mean should contain
    // 0.5 roughly 90-97% of the time (percentile intervals run a little narrow at n=10).
    const data = createRng(3);
    const resampling = createRng(4);
    let covered = 0;
    for (let trial = 0; trial < 200; trial++) {
      const sample = Array.from({ length: 10 }, () => data.nextFloat());
      const interval = bootstrapOfValues(sample, mean, resampling, { resamples: 500, level: 0.95 });
      if (interval.low! <= 0.5 && 0.5 <= interval.high!) covered++;
    }
    expect(covered / 200).toBeGreaterThan(0.85);
    expect(covered / 200).toBeLessThan(0.99);
  });

  it("gives a degenerate interval when every pair is equally far apart", () => {
    const matrix = pairMatrix(4, () => 0.2);
    const interval = bootstrapOfPairs(matrix, createRng(1), options);
    expect(interval.value).toBeCloseTo(0.2, 12);
    expect(interval.low).toBeCloseTo(0.2, 12);
    expect(interval.high).toBeCloseTo(0.2, 12);
  });

  it("tells clearly different spreads apart, and not identical ones", () => {
    const narrow = [0.71, 0.73, 0.7, 0.74, 0.72, 0.69, 0.75, 0.71, 0.73, 0.72];
    const wide = narrow.map((x) => 0.72 + (x - 0.72) * 10);
    const statistic = (values: number[]) => (indices: ArrayLike<number>) =>
      stdSample(Array.from(indices, (i) => values[i]!));
    const ratio = (a: number, b: number) => a / b;
    const differ = bootstrapContrast(
      10,
      statistic(wide),
      10,
      statistic(narrow),
      ratio,
      1,
      createRng(5),
      options,
    );
    expect(differ.value).toBeCloseTo(10, 9);
    expect(differ.low!).toBeGreaterThan(1);
    expect(differ.pValue!).toBeLessThan(0.01);
    const same = bootstrapContrast(
      10,
      statistic(narrow),
      10,
      statistic(narrow),
      ratio,
      1,
      createRng(5),
      options,
    );
    expect(same.low!).toBeLessThan(1);
    expect(same.high!).toBeGreaterThan(1);
    expect(same.pValue!).toBeGreaterThan(0.2);
  });
});

describe("Brown-Forsythe test", () => {
  it("matches scipy.stats.levene(center='median')", () => {
    // Reference values from scipy 1.17: levene(a, b, center="median")
    const a = [0.71, 0.73, 0.7, 0.74, 0.72, 0.69, 0.75, 0.71, 0.73, 0.72];
    const b = [0.7, 0.76, 0.66, 0.78, 0.72, 0.64, 0.79, 0.69, 0.75, 0.71];
    const two = brownForsythe([a, b]);
    expect(two.statistic).toBeCloseTo(7.911573472041613, 9);
    expect(two.pValue).toBeCloseTo(0.011517492394644897, 9);
    expect([two.df1, two.df2]).toEqual([1, 18]);
    const three = brownForsythe([
      [1, 2, 3, 4],
      [2, 4, 6, 9],
      [1, 1, 2, 10],
    ]);
    expect(three.statistic).toBeCloseTo(0.41704035874439455, 9);
    expect(three.pValue).toBeCloseTo(0.6711032370727289, 9);
  });

  it("handles constant groups (bit-identical control runs)", () => {
    expect(
      brownForsythe([
        [0.7, 0.7, 0.7],
        [0.7, 0.7, 0.7],
      ]).pValue,
    ).toBe(1);
    expect(brownForsythe([[0.7], [0.6, 0.8]]).pValue).toBeNaN();
  });
});

describe("quantile", () => {
  it("interpolates linearly like numpy", () => {
    expect(quantile([1, 2, 3, 4], 0.25)).toBeCloseTo(1.75, 12);
    expect(quantile([5], 0.9)).toBe(5);
  });
});

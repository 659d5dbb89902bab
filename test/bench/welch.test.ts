/**
 * The intervals bench/onnx-accuracy.ts prints cover at their stated level (seeded simulation).
 *
 * Tolerances. Coverage over R = 400 replications is Binomial(R, 0.95)/R, sd
 * √(0.95·0.05/400) = 0.011; a cell (one pair of sample sizes) passes within 0.044 of 0.95
 * (4 sd). Pooled over the cells the sd is 0.011/√cells and the bound 0.02 (over 4 sd for 5 or
 * more cells). Welch's interval is approximate (its degrees of freedom are estimated), but
 * for normal samples of these sizes its coverage is within 0.01 of the level, well inside
 * the bounds. The generator is seeded: the numbers are the same on every run.
 */
import { describe, expect, it } from "vitest";
import { meanInterval, welchInterval } from "../../bench/welch.js";
import { RandomStream } from "../../src/random/stream.js";
import { normals } from "../analysis/simulation.js";

const LEVEL = 0.95;
const REPLICATIONS = 400;
const CELL_TOLERANCE = 0.044;
const POOLED_TOLERANCE = 0.02;

function expectCoverage(rates: number[]): void {
  for (const rate of rates)
    expect(Math.abs(rate - LEVEL), `coverage ${rate}`).toBeLessThanOrEqual(CELL_TOLERANCE);
  const pooled = rates.reduce((a, b) => a + b, 0) / rates.length;
  expect(Math.abs(pooled - LEVEL), `pooled ${pooled}`).toBeLessThanOrEqual(POOLED_TOLERANCE);
}

describe("bench/welch.ts intervals cover at 95 % (seeded simulation)", () => {
  it("the t interval of a mean, n = 3 … 20", () => {
    const rng = RandomStream.named(30, "simulation");
    const rates = [3, 5, 8, 13, 20].map((n) => {
      let covered = 0;
      for (let r = 0; r < REPLICATIONS; r++) {
        const { low, high } = meanInterval(normals(rng, n, 0.85, 0.004), LEVEL);
        if (low <= 0.85 && 0.85 <= high) covered++;
      }
      return covered / REPLICATIONS;
    });
    expectCoverage(rates);
  });

  it("Welch's interval of a difference, unequal sizes and spreads", () => {
    const rng = RandomStream.named(31, "simulation");
    const cells: [number, number, number][] = [
      [3, 3, 1],
      [5, 5, 1],
      [5, 10, 3],
      [10, 5, 3],
      [8, 4, 0.3],
      [20, 6, 2],
    ];
    const rates = cells.map(([na, nb, ratio]) => {
      let covered = 0;
      for (let r = 0; r < REPLICATIONS; r++) {
        const a = normals(rng, na, 0.86, 0.004);
        const b = normals(rng, nb, 0.85, 0.004 * ratio);
        const { low, high } = welchInterval(a, b, LEVEL);
        if (low <= 0.01 && 0.01 <= high) covered++;
      }
      return covered / REPLICATIONS;
    });
    expectCoverage(rates);
  });

  it("gives the textbook figures on a worked example, and refuses a single run", () => {
    // a = 1, 2, 3: mean 2, s² = 1; b = 2, 4, 6, 8: mean 5, s² = 20/3.
    // va = 1/3, vb = 5/3, se = √2; ν = 4 / ((1/9)/2 + (25/9)/3) = 4 / (1/18 + 25/27) = 4.0755.
    const w = welchInterval([1, 2, 3], [2, 4, 6, 8], LEVEL);
    expect(w.value).toBe(-3);
    expect(w.df).toBeCloseTo(4.0755, 3);
    // t(0.975, 4.0755) = 2.7563 (the density integrated by Simpson's rule and bisected, in
    // Python), half-width 2.7563·√2 = 3.8980.
    expect(w.high - w.value).toBeCloseTo(3.898, 3);
    // The t interval of 1, 2, 3: 2 ± t(0.975, 2)·1/√3 (t from a printed table) = 2 ± 4.3027·0.57735 = 2 ± 2.4841.
    expect(meanInterval([1, 2, 3], LEVEL).high).toBeCloseTo(4.4841, 3);
    expect(() => meanInterval([0.9], LEVEL)).toThrow("needs at least 2 values, got 1");
  });
});

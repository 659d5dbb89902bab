/**
 * The statistics against numbers worked by hand or computed with scipy 1.17
 * (scipy.stats.chi2/f/t .ppf and .cdf). jstat's quantiles agree with scipy's to ~1e-10
 * relative, so intervals are compared to 9 significant digits.
 */
import { describe, expect, it } from "vitest";
import { applyHolm, holm, runsForEquivalence } from "../../src/analysis/compare/hypotheses.js";
import { probabilityHigher } from "../../src/analysis/compare/variance-accounting.js";
import { pairMatrix } from "../../src/analysis/metrics/pairwise.js";
import { countStd } from "../../src/analysis/statistics/count-spread.js";
import { independentErrorsVariance } from "../../src/analysis/statistics/independent-errors.js";
import {
  chiSquareStdInterval,
  fRatioInterval,
  pairMeanInterval,
  pairMeanJackknifeSe,
} from "../../src/analysis/statistics/intervals.js";
import { perClassBaseline } from "../../src/analysis/statistics/per-class-baseline.js";
import {
  binomial,
  minimumPermutationP,
  permutationTest,
} from "../../src/analysis/statistics/permutation.js";
import {
  runsForStdPrecision,
  stdRelativePrecision,
} from "../../src/analysis/statistics/runs-needed.js";
import {
  equivalenceMinimumP,
  pairMeanPermutationTest,
  spreadPermutationTest,
  stdEquivalenceTest,
} from "../../src/analysis/statistics/spread-tests.js";
import { stdSample } from "../../src/analysis/statistics/stats.js";
import { RandomStream } from "../../src/random/stream.js";

const close = (actual: number | null, expected: number, digits = 9) =>
  expect(actual).toBeCloseTo(expected, digits);

describe("exact zeros", () => {
  it("three runs with 6729 of 10,000 correct have a std of exactly 0", () => {
    expect(countStd([6729, 6729, 6729], 10_000, 1)).toBe(0);
    expect(countStd([6729, 6729, 6729], 10_000, 0)).toBe(0);
    // Dividing first and averaging the fractions left 1.36e-16; equal values now give 0 too.
    expect(stdSample([0.6729, 0.6729, 0.6729])).toBe(0);
  });

  it("matches the std of the fractions otherwise", () => {
    close(countStd([1, 3, 2], 4, 1), 0.25, 15);
    close(countStd([1, 3, 2], 4, 0), Math.sqrt(0.125 / 3), 15);
    expect(() => countStd([0.5, 1], 4, 1)).toThrow(/not a count/);
  });

  it("gives no interval and no ratio on an exact zero", () => {
    const zero = pairMeanInterval(
      pairMatrix(3, () => 0),
      0.95,
    );
    expect(zero).toEqual({ value: 0, low: null, high: null });
    expect(fRatioInterval(0.01, 5, 0, 5, 0.95)).toBeNull();
    expect(stdEquivalenceTest(0.01, 5, 0, 5, 3)).toBeNull();
  });
});

describe("χ² and F intervals (scipy)", () => {
  it("χ² interval of a std", () => {
    const three = chiSquareStdInterval(0.02, 3, 0.95);
    close(three.low, 0.010413165333976349);
    close(three.high, 0.1256946939297076);
    const ten = chiSquareStdInterval(0.0036, 10, 0.95);
    close(ten.low, 0.0024762067442963987);
    close(ten.high, 0.0065721966570704655);
    // The level is the one asked for: 80 % is narrower, not the same as 95 %.
    const eighty = chiSquareStdInterval(0.01, 5, 0.8);
    close(eighty.low, 0.007170605309954615);
    close(eighty.high, 0.019392602312252);
  });

  it("F interval of a ratio of stds", () => {
    const interval = fRatioInterval(0.02, 5, 0.01, 7, 0.95)!;
    expect(interval.value).toBe(2);
    close(interval.low, 0.8014657037025136);
    close(interval.high, 6.065413779575539);
  });

  it("TOST of equivalence within 3×", () => {
    close(stdEquivalenceTest(1.2, 10, 1, 10, 3)!.pValue, 0.005868775188293012);
    // 3 + 3 runs: even a ratio of exactly 1 gives p = 0.1, so equivalence cannot be shown at 0.05.
    close(equivalenceMinimumP(3, 3, 3), 0.1);
    close(equivalenceMinimumP(10, 10, 3), 0.0015552141551927745);
    expect(runsForEquivalence(0.05, 3)).toBe(5);
  });
});

describe("jackknife over runs, by hand", () => {
  // Pairs 0–1: 0.25, 0–2: 0.5, 1–2: 0.25. Leaving out run 0, 1, 2 leaves 0.25, 0.5, 0.25;
  // their mean is 1/3 and the jackknife variance (2/3)·(2/144 + 4/144) = 1/36: se 1/6.
  const matrix = pairMatrix(3, (i, j) => (i === 0 && j === 2 ? 0.5 : 0.25));
  it("standard error and interval of a mean over pairs", () => {
    close(pairMeanJackknifeSe(matrix), 1 / 6, 14);
    const interval = pairMeanInterval(matrix, 0.95);
    close(interval.value, 1 / 3, 14);
    // t(0.975, df 1) = 12.706204736174698 (scipy): the lower bound clips at 0.
    expect(interval.low).toBe(0);
    close(interval.high, 1 / 3 + 12.706204736174698 / 6, 8);
  });
});

describe("permutation tests over runs", () => {
  it("counts relabellings and the smallest p-value a design can give", () => {
    expect(binomial(6, 3)).toBe(20);
    expect(binomial(20, 10)).toBe(184_756);
    // 3 + 3 runs, two-sided: the observed labelling and its mirror tie, p ≥ 2/20.
    expect(minimumPermutationP(3, 3, true, 20_000, 999)).toBe(0.1);
    expect(minimumPermutationP(4, 4, true, 20_000, 999)).toBeCloseTo(2 / 70, 15);
    expect(minimumPermutationP(10, 10, true, 20_000, 9999)).toBe(1 / 10_000);
  });

  it("exact churn test on four runs, by hand", () => {
    // Group a = runs 0, 1 (churn 0.4), group b = runs 2, 3 (churn 0); every cross pair 0.2.
    // Of the 6 relabellings, the observed one and its mirror give |0.4 − 0| = 0.4, the other
    // four give |0.2 − 0.2| = 0: p = 2/6.
    const pooled = pairMatrix(4, (i, j) =>
      i === 0 && j === 1 ? 0.4 : i === 2 && j === 3 ? 0 : 0.2,
    );
    const test = pairMeanPermutationTest(pooled, 2, RandomStream.named(1, "simulation"), {
      maxExact: 100,
      draws: 99,
    });
    expect(test).toMatchObject({ exact: true, evaluated: 6, relabellings: 6 });
    close(test.statistic, 0.4, 14);
    close(test.pValue, 1 / 3, 14);
  });

  it("spread test: centred runs with equal spreads give p = 1", () => {
    const test = spreadPermutationTest([1, 2, 3], [4, 5, 6], RandomStream.named(1, "simulation"), {
      maxExact: 100,
      draws: 9,
    });
    expect(test.pValue).toBe(1);
  });

  it("Monte Carlo beyond the enumeration limit: (1 + hits)/(1 + draws), reproducible", () => {
    const statistic = (a: Int32Array) => (a.includes(0) ? 1 : 0);
    const run = () =>
      permutationTest(10, 10, statistic, RandomStream.named(5, "simulation"), {
        maxExact: 100,
        draws: 999,
        symmetric: false,
      });
    const first = run();
    expect(first.exact).toBe(false);
    expect(first).toEqual(run());
    // Run 0 lands in group a half the time: p ≈ (1 + 500)/1000.
    expect(Math.abs(first.pValue - 0.5)).toBeLessThan(0.07);
  });
});

describe("Holm", () => {
  it("adjusts step-down, in the input order", () => {
    // Sorted 0.01, 0.03, 0.04, 0.5 → 4·0.01, 3·0.03, max(2·0.04, 0.09), 0.5.
    const adjusted = holm([0.01, 0.04, 0.03, 0.5]);
    for (const [i, value] of [0.04, 0.09, 0.09, 0.5].entries()) close(adjusted[i]!, value, 14);
  });

  it("leaves hypotheses decided by bit identity out of the count", () => {
    const exact = {
      id: "x",
      familyKey: "f",
      claim: "",
      a: "a",
      b: "b",
      test: "",
      pValue: null,
      pHolm: null,
      verdict: "exact" as const,
      statement: "",
      runsNeeded: null,
    };
    const tested = { ...exact, a: "c", b: "d", pValue: 0.04, verdict: "not shown" as const };
    applyHolm([exact, tested], [], 0.05);
    expect(exact.pHolm).toBeNull();
    expect(tested).toMatchObject({ pHolm: 0.04, verdict: "supported" });
  });
});

describe("baselines, by hand", () => {
  it("Jordan's independent-errors variance", () => {
    // Runs [0,1,2,1], [0,1,1,1], [0,2,1,1] against labels [0,1,2,1]: examples got right by
    // 3, 2, 1, 3 runs; Σ c(n − c) = 0 + 2 + 2 + 0 = 4, /(n(n − 1)) = 2/3, /N² = 1/24.
    const labels = Int32Array.from([0, 1, 2, 1]);
    const runs = [
      [0, 1, 2, 1],
      [0, 1, 1, 1],
      [0, 2, 1, 1],
    ].map((row) => Int32Array.from(row));
    close(independentErrorsVariance(runs, labels), 1 / 24, 15);
    expect(independentErrorsVariance([labels, labels], labels)).toBe(0);
  });

  it("per-class spread against independent flips", () => {
    // Class counts [5,5], [6,5], [4,6]: variances 1 and 1/3, totals [10,11,10] variance 1/3:
    // Q = (4/3)/(1/3) = 4, √Q = 2. Equal supports of 10: √(N/n_k) = √2.
    const baseline = perClassBaseline(
      [
        [5, 5],
        [6, 5],
        [4, 6],
      ],
      [10, 10],
      0.95,
    )!;
    close(baseline.relativeToIndependent.value, 2, 14);
    close(baseline.independentRatio, Math.SQRT2, 14);
    // Totals that do not vary: Q is 0/0, no baseline.
    expect(
      perClassBaseline(
        [
          [5, 5],
          [6, 4],
        ],
        [10, 10],
        0.95,
      ),
    ).toBeNull();
  });

  it("probability that one setting's run scores higher", () => {
    // Pairs: 0.7>0.6, 0.7>0.65, 0.6=0.6 (½), 0.6<0.65 → 2.5/4.
    expect(probabilityHigher([0.7, 0.6], [0.6, 0.65])).toBe(0.625);
  });
});

describe("how many runs", () => {
  it("relative precision of a std and the runs ±20 % needs", () => {
    // χ² 95 % interval at n = 10: [0.688s, 1.826s] (scipy): the upper side, +82.6 %, is the larger.
    close(stdRelativePrecision(10, 0.95), 0.8256, 3);
    const needed = runsForStdPrecision(0.2, 0.95);
    expect(stdRelativePrecision(needed, 0.95)).toBeLessThanOrEqual(0.2);
    expect(stdRelativePrecision(needed - 1, 0.95)).toBeGreaterThan(0.2);
  });
});

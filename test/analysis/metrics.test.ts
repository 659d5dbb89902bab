import { describe, expect, it } from "vitest";
import {
  accuracyPerRun,
  churnMatrix,
  exampleInstability,
  instabilityHistogram,
  mostUnstable,
  perClassAccuracy,
} from "../../src/analysis/metrics/classification.js";
import {
  confusionPerAttribute,
  errorRates,
  subgroupErrorRates,
} from "../../src/analysis/metrics/multilabel.js";
import { meanOverPairs } from "../../src/analysis/metrics/pairwise.js";
import { bitIdentity, l2Matrix } from "../../src/analysis/metrics/weights.js";
import { stdPopulation, stdSample } from "../../src/analysis/statistics/stats.js";

// Three runs, four test examples. Worked by hand:
//   accuracies 1, 0.75, 0.5 -> mean 0.75, population std sqrt(0.125/3) = 0.2041241,
//   sample std sqrt(0.125/2) = 0.25.
//   churn: r0/r1 differ on ex2 (1/4), r0/r2 on ex1, ex2 (2/4), r1/r2 on ex1 (1/4)
//   -> mean 1/3. The original's agreement (1 - churn) would be 2/3.
const labels = Int32Array.from([0, 1, 2, 1]);
const predictions = [
  Int32Array.from([0, 1, 2, 1]),
  Int32Array.from([0, 1, 1, 1]),
  Int32Array.from([0, 2, 1, 1]),
];
const TOLERANCE = 1e-12;

describe("accuracy and its spread", () => {
  it("matches the hand-worked numbers, both standard deviations", () => {
    const accuracy = accuracyPerRun(predictions, labels);
    expect(accuracy).toEqual([1, 0.75, 0.5]);
    expect(stdPopulation(accuracy)).toBeCloseTo(Math.sqrt(0.125 / 3), 12);
    expect(stdSample(accuracy)).toBeCloseTo(0.25, 12);
  });
});

describe("churn", () => {
  it("is the fraction predicted differently, not the fraction that agrees", () => {
    const matrix = churnMatrix(predictions);
    expect(matrix.values[0 * 3 + 1]).toBe(0.25);
    expect(matrix.values[0 * 3 + 2]).toBe(0.5);
    expect(matrix.values[1 * 3 + 2]).toBe(0.25);
    const churn = meanOverPairs(matrix);
    expect(Math.abs(churn - 1 / 3)).toBeLessThan(TOLERANCE);
    expect(Math.abs(churn - 2 / 3)).toBeGreaterThan(0.3); // the original's bug
  });

  it("is zero for identical runs", () => {
    expect(meanOverPairs(churnMatrix([labels, labels, labels]))).toBe(0);
  });

  it("leaves out self-pairs when a resample repeats a run", () => {
    const matrix = churnMatrix(predictions);
    // positions (0,0) skipped; (0,1) twice -> 0.25
    expect(meanOverPairs(matrix, [0, 0, 1])).toBe(0.25);
    expect(meanOverPairs(matrix, [2, 2, 2])).toBeNaN();
  });
});

describe("per-class accuracy", () => {
  it("gives each class's accuracy per run, NaN for an absent class", () => {
    const perClass = perClassAccuracy(predictions, labels, 4);
    expect(perClass[0]).toEqual([1, 1, 1, Number.NaN]);
    expect(perClass[1]).toEqual([1, 1, 0, Number.NaN]);
    expect(perClass[2]).toEqual([1, 0.5, 0, Number.NaN]);
    const classStd = [0, 1, 2].map((k) => stdSample(perClass.map((row) => row[k]!)));
    // class 1: 1, 1, 0.5 -> sample std sqrt((2/36 + 4/36)/2) = 0.2886751
    // class 2: 1, 0, 0   -> sample std sqrt((4/9 + 1/9 + 1/9)/2) = 0.5773503
    expect(classStd[0]).toBe(0);
    expect(classStd[1]).toBeCloseTo(0.2886751346, 9);
    expect(classStd[2]).toBeCloseTo(0.5773502692, 9);
  });
});

describe("per-example instability", () => {
  it("is the fraction of runs off the majority, with its distribution", () => {
    const instability = exampleInstability(predictions);
    expect([...instability]).toEqual([0, 1 / 3, 1 / 3, 0]);
    expect(instabilityHistogram(instability, 3)).toEqual([
      { disagreeingRuns: 0, instability: 0, examples: 2, fraction: 0.5 },
      { disagreeingRuns: 1, instability: 1 / 3, examples: 2, fraction: 0.5 },
    ]);
    expect(mostUnstable(instability, 5)).toEqual([1, 2]);
  });

  it("does not depend on which of two tied classes is called the majority", () => {
    const tied = [5, 3, 5, 3].map((cls) => Int32Array.from([cls]));
    expect([...exampleInstability(tied)]).toEqual([0.5]);
  });
});

describe("subgroup error rates", () => {
  // Ten examples, two attributes: attribute 0 is scored, attribute 1 ("Male") is the
  // subgroup, predicted perfectly. Run A on attribute 0: TP 3, FN 1, FP 1, TN 5.
  const truth0 = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0];
  const predA0 = [1, 1, 1, 0, 1, 0, 0, 0, 0, 0];
  const male = [1, 1, 0, 0, 1, 1, 1, 0, 0, 0];
  const interleave = (a: number[], b: number[]) => Uint8Array.from(a.flatMap((x, i) => [x, b[i]!]));
  const labels2 = interleave(truth0, male);
  const runA = interleave(predA0, male);
  const runB = interleave(truth0, male);

  it("divides false negatives by the positives (FN + TP), not by FP + TN", () => {
    const [confusion] = confusionPerAttribute(runA, labels2, 2);
    expect(confusion).toEqual({ tp: 3, fp: 1, tn: 5, fn: 1 });
    const rates = errorRates(confusion!);
    expect(rates.fpr).toBeCloseTo(1 / 6, 12);
    expect(rates.fnr).toBeCloseTo(1 / 4, 12);
    expect(Math.abs(rates.fnr - 1 / 6)).toBeGreaterThan(0.05); // the original's FN/(FP+TN)
  });

  it("splits by the true value of the subgroup attribute", () => {
    // Male=1 (e0 e1 e4 e5 e6): TP 2, FN 0, FP 1, TN 2 -> FPR 1/3, FNR 0.
    // Male=0 (e2 e3 e7 e8 e9): TP 1, FN 1, FP 0, TN 3 -> FPR 0, FNR 1/2.
    const men = subgroupErrorRates([runA, runB], labels2, 2, 1, 1);
    const women = subgroupErrorRates([runA, runB], labels2, 2, 1, 0);
    expect(men[0]![0]!.fpr).toBeCloseTo(1 / 3, 12);
    expect(men[0]![0]!.fnr).toBe(0);
    expect(women[0]![0]!.fpr).toBe(0);
    expect(women[0]![0]!.fnr).toBe(0.5);
    expect(men[1]![0]).toEqual({ fpr: 0, fnr: 0 });
    // The subgroup attribute itself has no negatives among men: FPR undefined, not 0.
    expect(men[0]![1]!.fpr).toBeNaN();
    const fnrAll = subgroupErrorRates([runA, runB], labels2, 2, undefined, 1).map(
      (run) => run[0]!.fnr,
    );
    expect(stdSample(fnrAll)).toBeCloseTo(0.25 / Math.SQRT2, 12);
    expect(stdPopulation(fnrAll)).toBeCloseTo(0.125, 12);
  });
});

describe("weights", () => {
  it("mean pairwise L2 distance of flattened weights", () => {
    // distances: |(0,0)-(3,4)| = 5, |(0,0)-(6,8)| = 10, |(3,4)-(6,8)| = 5 -> mean 20/3
    const matrix = l2Matrix([
      Float32Array.from([0, 0]),
      Float32Array.from([3, 4]),
      Float32Array.from([6, 8]),
    ]);
    expect(meanOverPairs(matrix)).toBeCloseTo(20 / 3, 12);
  });

  it("bit identity needs every hash, and all of them equal", () => {
    expect(bitIdentity(["a", "a", "a"])).toEqual({
      identical: true,
      distinctHashes: 1,
      runsWithHash: 3,
    });
    expect(bitIdentity(["a", "b", "a"]).identical).toBe(false);
    expect(bitIdentity(["a", undefined]).identical).toBeNull();
  });
});

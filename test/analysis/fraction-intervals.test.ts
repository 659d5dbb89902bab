/**
 * Intervals of fractions stay inside [0, 1] (issue: `churn 62.97% [0.00%, 228.09%]`, accuracy
 * intervals above 100 %), and results.csv, the CLI summary and the report say when the range
 * bounded one. The interval itself is worked by hand here; its coverage near 0 and 1 is
 * checked by simulation in coverage.test.ts.
 */
import { describe, expect, it } from "vitest";
import { analyzeExperiment, resultRows } from "../../src/analysis/index.js";
import { summaryTable } from "../../src/analysis/results/summary-table.js";
import { fractionInterval } from "../../src/analysis/statistics/intervals.js";
import { findings } from "../../src/report/findings.js";
import { tempDir, writeNnrRun } from "./fixtures.js";

// 8 digits: the t quantile (a series, distributions.ts) agrees with scipy to ~1e-9 here.
const close = (actual: number | null, expected: number, digits = 8) =>
  expect(actual).toBeCloseTo(expected, digits);

describe("logit-scale t interval of a fraction, by hand", () => {
  it("matches expit(logit(p) ± t·se/(p(1 − p))) and says when the range bounded it", () => {
    // p = 0.9, se = 0.05, 4 df, 95 %: t = 2.7764451051977934 (scipy); the plain interval
    // 0.9 ± 0.139 would end at 103.9 %.
    const interval = fractionInterval(0.9, 0.05, 4, 0.95, "t");
    close(interval.low, 0.6580812064023068);
    close(interval.high, 0.9767901273052513);
    expect(interval.bounded).toBe("at 1");
    expect(interval.method).toBe("t, logit scale");
    // Far from the ends it is the plain t interval to within the curvature, and not bounded.
    const middle = fractionInterval(0.5, 0.001, 9, 0.95, "t");
    close(middle.high! - 0.5, 0.5 - middle.low!, 6);
    expect(middle.bounded).toBeUndefined();
    expect(fractionInterval(0.01, 0.02, 2, 0.95, "t").bounded).toBe("at 0");
    // Exact ends and no spread: no interval.
    expect(fractionInterval(1, 0.01, 4, 0.95, "t").low).toBeNull();
    expect(fractionInterval(0.3, 0, 4, 0.95, "t").low).toBeNull();
  });
});

describe("the issue's experiment: near-perfect runs and near-chance churn", () => {
  const labels = Array.from({ length: 20 }, () => 0);
  function experiment() {
    const root = tempDir("fractions");
    // ALGO: 20/20, 19/20, 20/20 correct; a plain t interval of the mean ends at 105.5 %.
    for (const [replicate, wrong] of [0, 1, 0].entries()) {
      const predictions = labels.map((_, e) => (e < wrong ? 1 : 0));
      writeNnrRun(root, { setting: "algo", replicate, labels, predictions: { 2: predictions } });
    }
    // IMPL: three runs that mostly disagree (churn 83 %, jackknife half-width 424 % at 3 runs).
    const impl = [labels.map(() => 0), labels.map(() => 1), labels.map((_, e) => (e < 10 ? 0 : 2))];
    for (const [replicate, predictions] of impl.entries()) {
      writeNnrRun(root, { setting: "impl", replicate, labels, predictions: { 2: predictions } });
    }
    return analyzeExperiment(root, { resamples: 99 });
  }

  it("keeps every interval of a fraction inside [0, 1] and marks the bounded ones", () => {
    const result = experiment();
    const [algo, impl] = result.groups;
    expect(algo!.accuracy!.mean.high!).toBeLessThanOrEqual(1);
    expect(algo!.accuracy!.mean.bounded).toBe("at 1");
    close(impl!.churn.value, 5 / 6);
    expect(impl!.churn.low!).toBeGreaterThanOrEqual(0);
    expect(impl!.churn.high!).toBeLessThanOrEqual(1);
    expect(impl!.churn.bounded).toBeDefined();
    for (const group of result.groups) {
      for (const estimate of [
        group.accuracy!.mean,
        group.churn,
        ...group.perClass!.meanAccuracyInterval,
      ]) {
        if (estimate.low === null) continue;
        expect(estimate.low).toBeGreaterThanOrEqual(0);
        expect(estimate.high!).toBeLessThanOrEqual(1);
      }
    }

    const rows = resultRows(result);
    const accuracyRow = rows.find(
      (row) => row.metric === "accuracy_mean" && row.setting === "algo",
    )!;
    expect(accuracyRow.note).toMatch(
      /t interval over runs, logit scale; interval bounded at 1 by the range/,
    );
    expect(Number(accuracyRow.ci_high)).toBeLessThanOrEqual(1);

    const table = summaryTable(result);
    expect(table).toMatch(/83\.33% \[[\d.]+%, [\d.]+%\]‡/);
    expect(table).toMatch(/‡ interval bounded by 0% or 100%/);
    // Accuracy and churn columns (the std's χ² interval is of a spread, not of a fraction).
    for (const row of table.split("\n").filter((line) => line.startsWith("smallcnn"))) {
      const cells = row.split(/\s{2,}/);
      for (const cell of [cells[3]!, cells[5]!]) {
        for (const [, number] of cell.matchAll(/([\d.]+)%/g)) {
          expect(Number(number)).toBeLessThanOrEqual(100);
        }
      }
    }

    const text = findings(result).join("\n");
    expect(text).toMatch(/bounded by 100%/);
  });
});

/**
 * Every pair of groups of a family is compared, and groups of one setting whose configs differ
 * in one field (issue 32: "No two settings of one model and dataset to compare" for ALGO+IMPL
 * and Control; three rows all called `smallcnn_fashion-mnist_control`). The declared hypotheses
 * keep their Holm family; the other pairs are exploratory and corrected among themselves.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { holm } from "../../src/analysis/compare/hypotheses.js";
import { analyzeExperiment } from "../../src/analysis/index.js";
import type { Comparison } from "../../src/analysis/results/result-types.js";
import { summaryTable } from "../../src/analysis/results/summary-table.js";
import { reportHtml } from "../../src/report/html.js";
import { tempDir, writeNnrRun } from "./fixtures.js";

const labels = Array.from({ length: 40 }, (_, e) => e % 3);

/** Run r of a group: right except on `wrong(r)` examples, which it gets wrong in its own way. */
function predictions(replicate: number, wrong: number, offset = 0): number[] {
  return labels.map((label, e) =>
    (e + offset + replicate * 7) % 40 < wrong ? (label + 1) % 3 : label,
  );
}

const config = (overrides: Record<string, unknown> = {}) => ({
  batchNorm: false,
  optimizer: { name: "adam", lr: 0.001 },
  threads: 1,
  ...overrides,
});

describe("every pair of settings of a family is compared", () => {
  it("ALGO+IMPL and Control alone: one exploratory comparison, not none", () => {
    const root = tempDir("pairs");
    for (let replicate = 0; replicate < 3; replicate++) {
      for (const [setting, wrong] of [
        ["algo+impl", 6 + replicate],
        ["control", 4],
      ] as const) {
        writeNnrRun(root, {
          setting,
          replicate,
          labels,
          predictions: { 2: predictions(replicate, wrong) },
        });
      }
    }
    const result = analyzeExperiment(root, { resamples: 99 });
    expect(result.comparisons).toHaveLength(1);
    expect(result.comparisons[0]).toMatchObject({
      settingA: "algo+impl",
      settingB: "control",
      exploratory: true,
      differsIn: ["setting"],
    });
    expect(result.hypotheses).toEqual([]);
    expect(reportHtml(result, [], [])).not.toContain("No two settings");
    expect(reportHtml(result, [], [])).toContain("(exploratory: setting)");
  });

  it("declared pairs keep their Holm family; the other pairs are corrected among themselves", () => {
    const root = tempDir("holm");
    const wrongBySetting = {
      algo: [4, 12, 8, 16, 6, 14],
      impl: [2, 18, 5, 15, 8, 12],
      control: [9, 10, 9, 10, 9, 10],
    };
    for (const [setting, wrongs] of Object.entries(wrongBySetting)) {
      for (const [replicate, wrong] of wrongs.entries()) {
        const offset = replicate * 3;
        writeNnrRun(root, {
          setting,
          replicate,
          labels,
          predictions: { 2: predictions(replicate, wrong, offset) },
        });
      }
    }
    const result = analyzeExperiment(root, { resamples: 999 });
    const hypotheses = result.hypotheses ?? [];
    const pairs = result.comparisons.map((c) => `${c.settingA}-${c.settingB}:${c.exploratory}`);
    expect(pairs.sort()).toEqual(["algo-control:true", "algo-impl:false", "impl-control:false"]);
    // Holm over the exploratory pairs' own p-values only.
    const exploratory = result.comparisons.filter((c) => c.exploratory);
    const tests = (list: Comparison[]) =>
      list.flatMap((c) => [
        ...(c.spreadTest ? [{ p: c.spreadTest.pValue, adjusted: () => c.holm.spread }] : []),
        ...(c.churnTest ? [{ p: c.churnTest.pValue, adjusted: () => c.holm.churn }] : []),
      ]);
    const own = tests(exploratory);
    expect(own.length).toBeGreaterThan(0);
    const expected = holm(own.map((t) => t.p));
    for (const [i, t] of own.entries()) expect(t.adjusted()).toBeCloseTo(expected[i]!, 12);
    // The declared family: hypotheses and the confirmatory pairs' churn tests, nothing else.
    const confirmatory = result.comparisons.filter((c) => !c.exploratory);
    const declaredP = hypotheses.filter((h) => h.pValue !== null).map((h) => h.pValue!);
    const churnP = confirmatory.flatMap((c) => (c.churnTest ? [c.churnTest.pValue] : []));
    expect(declaredP.length).toBeGreaterThan(0);
    const family = holm([...declaredP, ...churnP]);
    // Had the exploratory tests joined the family, the declared ones would be adjusted more.
    const together = holm([...declaredP, ...churnP, ...own.map((t) => t.p)]);
    expect(together.slice(0, declaredP.length)).not.toEqual(family.slice(0, declaredP.length));
    const adjustedHypotheses = hypotheses.filter((h) => h.pValue !== null).map((h) => h.pHolm);
    expect(adjustedHypotheses).toEqual(
      family.slice(0, declaredP.length).map((p) => expect.closeTo(p, 12)),
    );
  });
});

describe("groups that differ in one config field", () => {
  function experiment() {
    const root = tempDir("fields");
    const variants = {
      plain: config(),
      bn: config({ batchNorm: true }),
      lr: config({ optimizer: { name: "adam", lr: 0.01 } }),
    };
    for (const [name, variant] of Object.entries(variants)) {
      for (let replicate = 0; replicate < 3; replicate++) {
        writeNnrRun(join(root, name), {
          setting: "control",
          replicate,
          labels,
          config: variant,
          predictions: { 2: predictions(replicate, name === "plain" ? 3 : 6 + replicate) },
        });
      }
    }
    return analyzeExperiment(root, { resamples: 99 });
  }

  it("labels name every field by which same-named groups differ", () => {
    const result = experiment();
    const names = result.groups.map((group) => group.label).sort();
    expect(names).toEqual([
      "smallcnn_toy_control batchNorm=false optimizer.lr=0.001",
      "smallcnn_toy_control batchNorm=false optimizer.lr=0.01",
      "smallcnn_toy_control batchNorm=true optimizer.lr=0.001",
    ]);
    const rows = summaryTable(result).split("\n").slice(2, 5);
    expect(new Set(rows.map((row) => row.split(/\s{2,}/)[0])).size).toBe(3);
  });

  it("are compared, exploratory, when they differ in exactly one field", () => {
    const result = experiment();
    const compared = result.comparisons.map((c) => c.differsIn.join(",")).sort();
    // plain–bn (batchNorm) and plain–lr (optimizer.lr); bn–lr differ in two fields.
    expect(compared).toEqual(["batchNorm", "optimizer.lr"]);
    expect(result.comparisons.every((c) => c.exploratory)).toBe(true);
    expect(result.comparisons.every((c) => c.a !== c.b)).toBe(true);
  });
});

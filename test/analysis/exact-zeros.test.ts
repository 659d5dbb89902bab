import { writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyzeExperiment } from "../../src/analysis/index.js";
import { findings, silenceNotes } from "../../src/report/findings.js";
import { reportHtml } from "../../src/report/html.js";
import { tempDir, writeNnrRun, writeOriginalRun } from "./fixtures.js";

const labels = [0, 1, 2, 1, 0, 2];
const cpu = { device: "cpu", threads: 1 };

/** Four settings of 3 runs on CPU: ALGO+IMPL and ALGO vary, IMPL and Control are bit-identical. */
function cpuExperiment(): string {
  const root = tempDir("zeros");
  const varied = [
    [0, 1, 2, 1, 0, 2],
    [0, 1, 1, 1, 0, 2],
    [0, 2, 1, 1, 1, 2],
  ];
  for (let replicate = 0; replicate < 3; replicate++) {
    for (const setting of ["algo+impl", "algo"]) {
      writeNnrRun(root, {
        setting,
        replicate,
        labels,
        predictions: { 2: varied[(replicate + (setting === "algo" ? 1 : 0)) % 3]! },
        weightsSha256: `${setting}${replicate}`,
        config: cpu,
      });
    }
    for (const setting of ["impl", "control"]) {
      writeNnrRun(root, {
        setting,
        replicate,
        labels,
        predictions: { 2: [0, 1, 2, 1, 1, 2] },
        weightsSha256: "the-same-bits",
        config: cpu,
      });
    }
  }
  return root;
}

describe("identical runs are reported as that fact", () => {
  const result = analyzeExperiment(cpuExperiment(), { seed: 3 });
  const group = (setting: string) => result.groups.find((g) => g.setting === setting)!;

  it("gives spreads of exactly 0, with no interval", () => {
    for (const setting of ["impl", "control"]) {
      const g = group(setting);
      expect(g.identicalRuns).toBe("weights");
      expect(g.accuracy!.stdSample).toEqual({ value: 0, low: null, high: null });
      expect(g.accuracy!.stdPopulation).toBe(0);
      expect(g.churn).toEqual({ value: 0, low: null, high: null });
      expect(g.accuracy!.independentErrorsVariance).toBe(0);
    }
  });

  it("builds no ratio and no test on them, and says why IMPL is silent", () => {
    const implVsControl = result.comparisons.find((c) => c.settingA === "impl")!;
    expect(implVsControl).toMatchObject({
      accuracyStdRatio: null,
      spreadTest: null,
      churnTest: null,
    });
    expect(implVsControl.noRatio).toMatch(/bit-identical \(std exactly 0\)/);
    const algoVsImpl = result.comparisons.find(
      (c) => c.settingA === "algo" && c.settingB === "impl",
    )!;
    expect(algoVsImpl).toMatchObject({
      accuracyStdRatio: null,
      equivalence: null,
      churnTest: null,
    });
    const byId = Object.fromEntries(result.hypotheses!.map((h) => [h.id, h]));
    expect(byId["algo vs impl"]).toMatchObject({ verdict: "exact", pValue: null, pHolm: null });
    expect(byId["algo vs impl"]!.statement).toMatch(/IMPL's 3 runs are bit-identical \(std 0\)\.$/);
    // Why IMPL is silent: said once, at the top of the report.
    expect(silenceNotes(result)).toEqual([
      expect.stringMatching(
        /^IMPL is silent here by construction: on CPU at a fixed thread count \(1\)/,
      ),
    ]);
    expect(byId["impl vs control"]).toMatchObject({ verdict: "exact" });
    // 3 + 3 runs: a permutation test can reach p = 0.1 at best, so it is not run.
    expect(byId["algo+impl vs algo"]).toMatchObject({
      verdict: "too few runs to tell",
      pValue: null,
      runsNeeded: 4,
    });
    const text = findings(result).join("\n");
    expect(text).not.toMatch(/\d{5,}×/);
    expect(text).toContain("too few runs to tell");
    expect(text).toContain("every run predicts identically (bit-identical weights)");
    const html = reportHtml(result, [], findings(result));
    expect(html).toContain("0, bit-identical");
    expect(html.match(/IMPL is silent here/g)).toHaveLength(1);
    expect(html).toMatch(/<td>threads<\/td><td>1<\/td>/);
    expect(html).toMatch(/<td>precision<\/td><td>not recorded<\/td>/);
  });

  it("equal accuracy counts with different predictions: std exactly 0, no ratio", () => {
    const root = tempDir("zeros");
    // Each run gets 4 of 6 right, wrong on different examples.
    const runs = [
      [0, 1, 2, 1, 1, 0],
      [1, 0, 2, 1, 0, 2],
      [0, 1, 0, 2, 0, 2],
    ];
    for (const [replicate, predictions] of runs.entries()) {
      writeNnrRun(root, { setting: "impl", replicate, labels, predictions: { 2: predictions } });
      writeNnrRun(root, {
        setting: "algo",
        replicate,
        labels,
        predictions: { 2: runs[(replicate + 1) % 3]!.map((p, e) => (e === 5 ? labels[e]! : p)) },
      });
    }
    const analysed = analyzeExperiment(root, { seed: 1 });
    const impl = analysed.groups.find((g) => g.setting === "impl")!;
    expect(impl.identicalRuns).toBeNull();
    expect(impl.accuracy!.stdSample.value).toBe(0);
    expect(analysed.comparisons[0]!.accuracyStdRatio).toBeNull();
    expect(analysed.comparisons[0]!.noRatio).toMatch(/IMPL's runs all score the same/);
  });
});

describe("attribute names for the original's multi-label runs", () => {
  it("--subgroup finds Male once the attributes are named", () => {
    const root = tempDir("names");
    const attributeLabels = [
      [1, 0],
      [0, 1],
      [1, 1],
      [0, 0],
    ];
    for (const replicate of [0, 1, 2]) {
      writeOriginalRun(root, `logs_resnet18_celeba_algo_${replicate}`, {
        10: attributeLabels.map((row, e) => (e === replicate ? [1 - row[0]!, row[1]!] : row)),
      });
    }
    const labelsFile = `${root}/labels.txt`;
    writeFileSync(labelsFile, attributeLabels.map((row) => row.join(" ")).join("\n"));
    const unnamed = analyzeExperiment(root, { labelsFile, subgroupAttributes: ["Male"] });
    expect(unnamed.groups[0]!.notes.join(" ")).toMatch(
      /"Male" is not one of this task's attributes/,
    );
    expect(unnamed.problems.map((p) => p.message).join(" ")).toMatch(/pass --attribute-names/);
    const named = analyzeExperiment(root, {
      labelsFile,
      subgroupAttributes: ["Male"],
      attributeNames: ["Smiling", "Male"],
    });
    expect(named.groups[0]!.subgroups!.map((s) => s.subgroup)).toEqual(["all", "Male=1", "Male=0"]);
    const wrongCount = analyzeExperiment(root, { labelsFile, attributeNames: ["Smiling"] });
    expect(wrongCount.problems.map((p) => p.message).join(" ")).toMatch(
      /gives 1 names, the predictions have 2 attributes/,
    );
  });
});

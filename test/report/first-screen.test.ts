/**
 * The report's first screen (before its first section heading) warns about groups near chance
 * and about runs left out (issue 32: a plan at 16 % accuracy, ten classes, said nothing; the
 * excluded runs appeared only at the bottom).
 */
import { describe, expect, it } from "vitest";
import { analyzeExperiment } from "../../src/analysis/index.js";
import { reportHtml } from "../../src/report/html.js";
import { NEAR_CHANCE_SHARE } from "../../src/report/warnings.js";
import { tempDir, writeNnrRun } from "../analysis/fixtures.js";

const labels = Array.from({ length: 100 }, (_, e) => e % 10);

/** Runs right on `right` of every 100 examples (the others one class off). */
const predictions = (right: number, shift: number) =>
  labels.map((label, e) => ((e + shift) % 100 < right ? label : (label + 1) % 10));

function firstScreen(html: string): string {
  return html.slice(0, html.indexOf("<h2>"));
}

describe("the report's first screen", () => {
  it("warns about a near-chance group and names the runs left out", () => {
    const root = tempDir("first-screen");
    for (let replicate = 0; replicate < 3; replicate++) {
      // 16 % on ten classes, as in the issue; chance is 10 %.
      writeNnrRun(root, {
        setting: "control",
        replicate,
        labels,
        classes: 10,
        predictions: { 2: predictions(15 + replicate, replicate * 5) },
      });
      writeNnrRun(root, {
        setting: "algo",
        replicate,
        labels,
        classes: 10,
        predictions: { 2: predictions(90 + replicate, replicate * 5) },
      });
    }
    // A run that stopped before its last epoch: left out of its group.
    writeNnrRun(root, {
      setting: "algo",
      replicate: 9,
      labels,
      classes: 10,
      predictions: { 1: labels },
    });
    const result = analyzeExperiment(root, { resamples: 99 });
    const top = firstScreen(reportHtml(result, [], []));
    expect(top).toMatch(
      /Near chance: smallcnn_toy_control reaches 16\.00% top-1 accuracy where guessing gives 10\.00% \(1 in 10 classes\)\. These models/,
    );
    expect(top).not.toMatch(/smallcnn_toy_algo reaches/);
    expect(top).toMatch(/1 run was left out of the analysis: .*r9 \(no pred2\.txt/);
  });

  it("says nothing of the kind for trained groups with every run used", () => {
    const root = tempDir("first-screen-clean");
    for (let replicate = 0; replicate < 3; replicate++) {
      writeNnrRun(root, {
        setting: "algo",
        replicate,
        labels,
        classes: 10,
        // Just past the threshold: chance + 10 % of the way to 100 % is 19 %.
        predictions: { 2: predictions(20 + replicate, replicate * 5) },
      });
    }
    expect(0.1 + NEAR_CHANCE_SHARE * 0.9).toBeCloseTo(0.19, 12);
    const top = firstScreen(reportHtml(analyzeExperiment(root, { resamples: 99 }), [], []));
    expect(top).not.toMatch(/Near chance|left out/);
  });
});

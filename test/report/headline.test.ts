/**
 * The report's first lines in plain words, from a small experiment worked by hand: 4 test
 * examples, ALGO runs that disagree, IMPL and Control runs with identical weights.
 */
import { describe, expect, it } from "vitest";
import { analyzeExperiment } from "../../src/analysis/analyze.js";
import { headline } from "../../src/report/headline.js";
import { tempDir, writeNnrRun } from "../analysis/fixtures.js";

const labels = [0, 1, 2, 1];

describe("the report's headline", () => {
  it("says what fresh seeds change, which classes move, and that the kernels add nothing", () => {
    const root = tempDir("headline");
    // Correct: 4, 3, 2 of 4 → accuracy 100 %, 75 %, 50 %: mean 75 %, sample std 25 points.
    const algo = [
      [0, 1, 2, 1],
      [0, 1, 1, 1],
      [0, 2, 1, 1],
    ];
    for (const [replicate, predictions] of algo.entries()) {
      writeNnrRun(root, {
        setting: "algo",
        replicate,
        labels,
        predictions: { 2: predictions },
        weightsSha256: `w${replicate}`,
        config: { device: "cpu", threads: 1 },
      });
    }
    for (const setting of ["impl", "control"]) {
      for (const replicate of [0, 1]) {
        writeNnrRun(root, {
          setting,
          replicate,
          labels,
          predictions: { 2: [0, 1, 1, 1] },
          weightsSha256: "same",
          config: { device: "cpu", threads: 1 },
        });
      }
    }
    const lines = headline(analyzeExperiment(root, { resamples: 99 }));
    // Pairs (0,1), (0,2), (1,2) disagree on 1, 2, 1 of 4 examples: churn 1/3.
    expect(lines[0]).toMatch(
      /^Retrained with fresh seeds for initialisation and data order, with deterministic kernels \(3 runs\), two runs disagree on 33\.33% .*of the 4 test predictions, and top-1 accuracy \(mean 75\.00%\) moves with a standard deviation of 25\.00 points/,
    );
    // Every run scores 3 of 4 on average (75 %): √(0.75 · 0.25 / 4) = 21.65 points, 0.87× 25.
    expect(lines[1]).toBe(
      "For scale: another test set of 4 examples would move accuracy by about 21.65 points (√(p(1−p)/N)), 0.87× the seeds' std.",
    );
    // Class 2 (one example: right, wrong, wrong) has the largest spread: std of [1, 0, 0].
    expect(lines[2]).toMatch(/^The classes that move most .*: 2 \(57\.74 points\)/);
    expect(lines[3]).toBe(
      "The kernels add nothing on this hardware: IMPL's 2 runs (seeds fixed, nondeterministic kernels allowed) ended with bit-identical weights, like Control's 2 (deterministic kernels).",
    );
  });
});

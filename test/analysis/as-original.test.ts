/**
 * What the original's analysis would have printed, beside nnr's metrics, worked by hand on
 * the fixture in the original's layout (test/analysis/fixtures/original, see
 * scripts/fixtures/original_runs.py) and on a small multi-label group.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  analyzeAsOriginal,
  lexicographicLastEpoch,
  originalFnr,
} from "../../src/analysis/as-original.js";
import { runCli } from "../train/helpers.js";
import { tempDir, writeOriginalRun } from "./fixtures.js";

const FIXTURE = join(import.meta.dirname, "fixtures", "original");

describe("the original's analysis, reproduced", () => {
  it("takes pred99.txt as 'last' of pred9 … pred199: Python sorts names by characters", () => {
    const files = new Map([9, 49, 99, 149, 199].map((e) => [e, `/r/pred${e}.txt`]));
    expect(lexicographicLastEpoch(files)).toBe(99);
    expect(
      lexicographicLastEpoch(
        new Map([
          [0, "pred0.txt"],
          [1, "pred1.txt"],
        ]),
      ),
    ).toBe(1);
  });

  it("prints agreement as churn, at its epoch, beside nnr's churn at the final one", () => {
    const { groups, problems } = analyzeAsOriginal(FIXTURE, join(FIXTURE, "test-labels.txt"));
    expect(problems).toEqual([]);
    const [group] = groups;
    expect(group).toMatchObject({
      runs: 2,
      finalEpoch: 199,
      originalEpoch: 99,
      originalFile: "pred99.txt",
    });
    // Labels 0 1 2 0 1 2. Epoch 199: run 0 right 6/6, run 1 5/6 (its last is 0); they differ on 1 of 6.
    expect(group!.accuracy!.mean).toBeCloseTo(11 / 12, 12);
    expect(group!.accuracy!.stdPopulation).toBeCloseTo(1 / 12, 12);
    expect(group!.churn).toBeCloseTo(1 / 6, 12);
    // Epoch 99: 0 1 2 0 0 0 and 0 1 2 1 1 1: 4/6 each, agreeing on the first 3 of 6.
    expect(group!.originalAccuracy).toEqual({ mean: 4 / 6, stdPopulation: 0 });
    expect(group!.originalChurn).toBeCloseTo(0.5, 12);
    expect(group!.fnr).toBeNull();
  });

  it("divides false negatives by the negatives, as the original's FNR did", () => {
    expect(originalFnr({ fp: 1, tn: 3, fn: 2 })).toBe(0.5);
    const root = tempDir("as-original-fnr");
    // 5 examples × 2 attributes. Attribute 0: truth 1 1 1 0 0, predicted 0 0 1 0 0: TP 1,
    // FN 2, TN 2, FP 0 → FNR 2/3, the original's 2/(0+2) = 1. Attribute 1: truth 0 0 0 0 1,
    // predicted the same: FNR 0 either way. Means over attributes: 1/3 and 1/2.
    const labels = [
      [1, 0],
      [1, 0],
      [1, 0],
      [0, 0],
      [0, 1],
    ];
    const predicted = [
      [0, 0],
      [0, 0],
      [1, 0],
      [0, 0],
      [0, 1],
    ];
    for (const replicate of [0, 1])
      writeOriginalRun(root, `logs_resnet18_celeba_algo_${replicate}`, { 9: predicted });
    const labelsFile = join(root, "labels.txt");
    writeFileSync(labelsFile, `${labels.map((row) => row.join(" ")).join("\n")}\n`);
    const [group] = analyzeAsOriginal(root, labelsFile).groups;
    expect(group!.fnr!.corrected).toBeCloseTo(1 / 3, 12);
    expect(group!.fnr!.original).toBeCloseTo(1 / 2, 12);
  });

  it("nnr analyze --as-original prints both and writes as-original.json", async () => {
    const out = tempDir("as-original-cli");
    const result = await runCli([
      "analyze",
      FIXTURE,
      "--labels",
      join(FIXTURE, "test-labels.txt"),
      "--out",
      out,
      "--as-original",
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/epoch 199 → pred99\.txt \(epoch 99/);
    expect(result.stdout).toMatch(/churn 0\.1667 → "churn" 0\.5000 \(its agreement\)/);
    const written = JSON.parse(readFileSync(join(out, "as-original.json"), "utf8"));
    expect(written[0].originalEpoch).toBe(99);
    expect(existsSync(join(FIXTURE, "as-original.json"))).toBe(false);
  });
});

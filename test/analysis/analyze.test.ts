import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeExperiment, writeResults } from "../../src/analysis/index.js";
import { parseCsvRecords } from "../../src/io/csv.js";
import { findings } from "../../src/report/findings.js";
import { reportHtml } from "../../src/report/html.js";
import { tempDir, writeNnrRun, writeOriginalRun } from "./fixtures.js";

// The hand-worked example of metrics.test.ts, as three run folders.
const labels = [0, 1, 2, 1];
const predictionsByRun = [
  [0, 1, 2, 1],
  [0, 1, 1, 1],
  [0, 2, 1, 1],
];
const options = { seed: 1, resamples: 400 };

describe("analyzeExperiment on our run folders", () => {
  it("groups replicates, picks the final epoch and computes the metrics", () => {
    const root = tempDir("analyze");
    for (const [replicate, predictions] of predictionsByRun.entries()) {
      writeNnrRun(root, {
        setting: "algo",
        replicate,
        labels,
        predictions: { 1: labels, 2: predictions },
        checkpoints: { 2: [0, 0].map((_, i) => [0, 3, 6][replicate]! * (i === 0 ? 1 : 4 / 3)) },
        weightsSha256: `hash${replicate}`,
      });
      writeNnrRun(root, {
        setting: "control",
        replicate,
        labels,
        predictions: { 2: labels },
        weightsSha256: "same",
      });
    }
    const result = analyzeExperiment(root, options);
    expect(result.groups.map((group) => group.label)).toEqual([
      "smallcnn_toy_algo",
      "smallcnn_toy_control",
    ]);
    const [algo, control] = result.groups;
    expect(algo!.epoch).toBe(2);
    expect(algo!.accuracy!.mean.value).toBeCloseTo(0.75, 12);
    expect(algo!.accuracy!.stdSample.value).toBeCloseTo(0.25, 12);
    expect(algo!.accuracy!.stdPopulation).toBeCloseTo(Math.sqrt(0.125 / 3), 12);
    expect(algo!.churn.value).toBeCloseTo(1 / 3, 12);
    // weights (0,0), (3,4), (6,8): pairwise 5, 10, 5; the BN buffer is left out
    expect(algo!.l2!.value).toBeCloseTo(20 / 3, 5);
    expect(algo!.perClass!.stdSample.map((e) => e.value)).toEqual([
      0,
      expect.closeTo(0.2886751346, 9),
      expect.closeTo(0.5773502692, 9),
    ]);
    expect(algo!.perClass!.ratioToTop1).toBeCloseTo((0.2886751346 + 0.5773502692) / 3 / 0.25, 8);
    expect(algo!.instability.mean).toBeCloseTo(1 / 6, 12);
    expect(algo!.identity).toMatchObject({ identical: false, distinctHashes: 3 });
    expect(control!.identity).toMatchObject({ identical: true, source: "run.json" });
    expect(control!.churn.value).toBe(0);
    // Bit-identical runs: every spread exactly 0, with no interval, ratio or test on it.
    expect(control!.identicalRuns).toBe("weights");
    expect(control!.accuracy!.stdSample).toEqual({ value: 0, low: null, high: null });
    expect(control!.churn).toEqual({ value: 0, low: null, high: null });
    // ALGO vs Control is not a declared pair: compared all the same, as exploratory (issue 32).
    expect(result.comparisons).toHaveLength(1);
    expect(result.comparisons[0]).toMatchObject({ settingA: "algo", settingB: "control" });
    expect(result.comparisons[0]!.exploratory).toBe(true);
    expect(result.problems).toEqual([]);
  });

  it("analyses an earlier epoch on request and is reproducible from its seed", () => {
    const root = tempDir("analyze");
    for (const [replicate, predictions] of predictionsByRun.entries()) {
      writeNnrRun(root, {
        setting: "impl",
        replicate,
        labels,
        predictions: { 1: labels, 2: predictions },
      });
    }
    const atOne = analyzeExperiment(root, { ...options, epoch: 1 });
    expect(atOne.groups[0]!.epoch).toBe(1);
    expect(atOne.groups[0]!.churn.value).toBe(0);
    expect(analyzeExperiment(root, options)).toEqual(analyzeExperiment(root, options));
  });

  it("writes results.csv with one row per group x metric and results.json", () => {
    const root = tempDir("analyze");
    for (const [replicate, predictions] of predictionsByRun.entries()) {
      writeNnrRun(root, { setting: "algo", replicate, labels, predictions: { 2: predictions } });
    }
    const result = analyzeExperiment(root, options);
    const { csv, json } = writeResults(result, root);
    const { records } = parseCsvRecords(readFileSync(csv, "utf8"));
    const churn = records.find((record) => record.metric === "churn")!;
    expect(Number(churn.value)).toBeCloseTo(1 / 3, 12);
    expect(Number(churn.ci_low)).toBeLessThanOrEqual(Number(churn.value));
    const std = records.find((record) => record.metric === "accuracy_std_sample")!;
    expect(Number(std.value)).toBeCloseTo(0.25, 12);
    expect(
      records.filter((record) => record.metric === "per_class_accuracy_std_sample"),
    ).toHaveLength(3);
    expect(JSON.parse(readFileSync(json, "utf8")).groups[0].label).toBe("smallcnn_toy_algo");
  });
});

describe("pooled runs: the tooling study", () => {
  it("analyses a pool as one group, in the family of its reference tooling", () => {
    const root = tempDir("pool");
    const reference = { setting: "control", threads: 1, memoryFormat: "contiguous" };
    const variants = [
      {
        variant: "control threads=1 memoryFormat=contiguous",
        config: reference,
        hash: "a",
        seconds: 10,
      },
      {
        variant: "impl threads=1 memoryFormat=contiguous",
        config: { ...reference, setting: "impl" },
        hash: "a",
        seconds: 12,
      },
      {
        variant: "control threads=2 memoryFormat=contiguous",
        config: { ...reference, threads: 2 },
        hash: "b",
        seconds: 5,
      },
    ];
    for (const [replicate, { variant, config, hash, seconds }] of variants.entries()) {
      writeNnrRun(root, {
        setting: config.setting,
        replicate,
        labels,
        predictions: { 2: predictionsByRun[replicate]! },
        weightsSha256: hash,
        config,
        pool: { name: "tooling", variant, reference },
        seconds,
      });
    }
    for (const replicate of [0, 1, 2]) {
      writeNnrRun(root, {
        setting: "algo+impl",
        replicate,
        labels,
        predictions: { 2: predictionsByRun[2 - replicate]! },
        weightsSha256: `random${replicate}`,
        config: { threads: 1, memoryFormat: "contiguous" },
      });
    }
    const result = analyzeExperiment(root, options);
    expect(result.groups.map((group) => [group.label, group.setting, group.runs.length])).toEqual([
      ["smallcnn_toy_algo+impl", "algo+impl", 3],
      ["smallcnn_toy_tooling", "tooling", 3],
    ]);
    const tooling = result.groups[1]!;
    expect(tooling.runs.map((run) => run.variant)).toEqual(variants.map((v) => v.variant));
    expect(tooling.accuracy!.stdSample.value).toBeCloseTo(0.25, 12);
    expect(tooling.identity).toMatchObject({ identical: false, distinctHashes: 2 });
    // Runs 0–1 differ only in the setting (same weights; churn 1/4), runs 0–2 only in the
    // thread count (different weights; churn 2/4); runs 1–2 differ in both and are no pair.
    // Accuracies 4/4, 3/4, 2/4: from the reference, the setting costs 0.25, the threads 0.5;
    // times 10 s, 12 s, 5 s: the setting takes 1.2× as long, two threads 0.5×.
    expect(tooling.poolEffects).toEqual([
      {
        field: "setting",
        pairs: 1,
        pairsWithDifferentWeights: 0,
        meanChurn: 0.25,
        meanAccuracyChange: -0.25,
        timeRatio: expect.closeTo(1.2, 12),
      },
      {
        field: "threads",
        pairs: 1,
        pairsWithDifferentWeights: 1,
        meanChurn: 0.5,
        meanAccuracyChange: -0.5,
        timeRatio: expect.closeTo(0.5, 12),
      },
      {
        field: "memoryFormat",
        pairs: 0,
        pairsWithDifferentWeights: 0,
        meanChurn: null,
        meanAccuracyChange: null,
        timeRatio: null,
      },
    ]);
    expect(result.groups[0]!.poolEffects).toBeNull();
    // Same family: the pool stands for its reference tooling, as the ALGO+IMPL runs do.
    expect(result.comparisons).toHaveLength(1);
    expect(result.comparisons[0]).toMatchObject({ settingA: "algo+impl", settingB: "tooling" });
    const text = findings(result).join("\n");
    expect(text).toContain(
      "Each field changed alone (pairs of runs that differ only in it) — setting: different weights in 0 of 1 pairs, predictions disagreeing on 25.00% of the test examples, accuracy −25.00 points, 1.2× the training time; threads: different weights in 1 of 1 pairs, predictions disagreeing on 50.00% of the test examples, accuracy −50.00 points, 0.50× the training time.",
    );
    expect(text).toContain(
      "Runs that ended with bit-identical weights: {control threads=1 memoryFormat=contiguous, impl threads=1 memoryFormat=contiguous}; 1 run(s) ended with weights of their own.",
    );
    expect(text).toContain(
      "Accuracy ranges from 50.00% (control threads=2 memoryFormat=contiguous) to 100.00% (control threads=1 memoryFormat=contiguous).",
    );
    // The report's pool section: one row per field, one per member, same weights same letter.
    const html = reportHtml(result, [], findings(result)).replace(/\s+/g, " ");
    expect(html).toContain("<h2>What the tooling changes</h2>");
    expect(html).toContain(
      '<tr><td>threads</td><td class="num">1</td><td class="num">1</td><td class="num">50.00%</td><td class="num">−50.00 points</td><td class="num">0.50×</td></tr>',
    );
    expect(html).toContain(
      '<tr><td>impl threads=1 memoryFormat=contiguous</td><td class="num">75.00%</td><td>A (a)</td></tr>',
    );
    expect(html).toContain(
      '<tr><td>control threads=2 memoryFormat=contiguous</td><td class="num">50.00%</td><td>B (b)</td></tr>',
    );
  });
});

describe("bad input", () => {
  it("reports truncated, missing and mismatched runs and still analyses the rest", () => {
    const root = tempDir("bad");
    for (let replicate = 0; replicate < 3; replicate++) {
      writeNnrRun(root, {
        setting: "algo",
        replicate,
        labels,
        predictions: { 2: predictionsByRun[replicate]! },
      });
    }
    // truncated pred file
    const truncated = writeNnrRun(root, {
      setting: "algo",
      replicate: 3,
      labels,
      predictions: { 2: labels },
    });
    writeFileSync(join(truncated, "pred2.txt"), "0\n1\n");
    // stopped early: no pred2.txt
    writeNnrRun(root, {
      setting: "algo",
      replicate: 4,
      labels,
      predictions: { 1: labels },
      status: "failed",
    });
    // a different test set (five examples)
    writeNnrRun(root, {
      setting: "algo",
      replicate: 5,
      labels: [...labels, 0],
      predictions: { 2: [...labels, 0] },
    });
    // a broken pred file (half-written line)
    const garbled = writeNnrRun(root, {
      setting: "algo",
      replicate: 6,
      labels,
      predictions: { 2: labels },
    });
    writeFileSync(join(garbled, "pred2.txt"), "0\n1\n2\n1x\n");
    // an unreadable run.json
    mkdirSync(join(root, "broken"));
    writeFileSync(join(root, "broken", "run.json"), "{");

    const result = analyzeExperiment(root, options);
    expect(result.groups[0]!.runs.map((run) => run.replicate)).toEqual(["0", "1", "2"]);
    expect(result.groups[0]!.churn.value).toBeCloseTo(1 / 3, 12);
    const messages = result.problems.map((problem) => `${problem.path}: ${problem.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /r3: .*pred2\.txt has 2 predictions .* test set has 4 .*\(truncated\?\)/,
        ),
        expect.stringMatching(/r4: no pred2\.txt \(its latest predictions are for epoch 1\)/),
        expect.stringMatching(/r5: test-labels\.txt differs/),
        expect.stringMatching(/r6: .*line 4 holds "1x"/),
        expect.stringMatching(/broken.*run\.json: cannot read run record/),
      ]),
    );
    expect(result.problems.every((problem) => problem.effect === "excluded")).toBe(true);
  });

  it("refuses an empty folder with a clear message", () => {
    expect(() => analyzeExperiment(tempDir("empty"))).toThrow(/no run folders found/);
    expect(() => analyzeExperiment(join(tempDir("empty"), "nope"))).toThrow(/no such folder/);
  });
});

describe("the original's layout", () => {
  it("parses logs_{model}_{dataset}_{setting}_{replicate} folders, with and without labels", () => {
    const root = tempDir("original");
    for (const [replicate, predictions] of predictionsByRun.entries()) {
      writeOriginalRun(
        root,
        `logs_smallcnn_cifar10_default_${replicate}`,
        { 9: predictions, 199: predictions },
        {
          199: [0.9, 0.8, 0.7][replicate]!,
        },
      );
      writeOriginalRun(
        root,
        `logs_smallcnn_cifar10_impl__bn${replicate}`,
        { 199: labels },
        { 199: 0.8 },
      );
    }
    const withoutLabels = analyzeExperiment(root, options);
    const labelsOf = withoutLabels.groups.map((group) => group.label);
    expect(labelsOf).toEqual(["smallcnn_cifar10_algo+impl", "smallcnn_cifar10_impl_bn"]);
    const [defaultGroup, bnGroup] = withoutLabels.groups;
    expect(defaultGroup!.epoch).toBe(199);
    expect(defaultGroup!.accuracy!.source).toBe("log");
    expect(defaultGroup!.accuracy!.stdSample.value).toBeCloseTo(0.1, 12);
    expect(defaultGroup!.churn.value).toBeCloseTo(1 / 3, 12);
    expect(defaultGroup!.perClass).toBeNull();
    expect(bnGroup!.batchNorm).toBe(true);
    // BN and non-BN runs are different families: nothing to compare
    expect(withoutLabels.comparisons).toEqual([]);

    const labelsFile = join(root, "labels.txt");
    writeFileSync(labelsFile, `${labels.join("\n")}\n`);
    const withLabels = analyzeExperiment(root, { ...options, labelsFile });
    expect(withLabels.groups[0]!.accuracy!.source).toBe("labels");
    expect(withLabels.groups[0]!.accuracy!.stdSample.value).toBeCloseTo(0.25, 12);
    expect(withLabels.groups[0]!.perClass).not.toBeNull();
  });
});

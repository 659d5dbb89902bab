/**
 * The overhead measurement on a tiny model (MediumCNN k=1, batch 2 of 64×64 inputs — its six
 * max-pools need 64 — 2 steps): a
 * well-formed overhead.csv that the analysis reads back, positive times, overhead = det/default,
 * and the chart beside it.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readOverhead } from "../../src/analysis/index.js";
import { determinismState, liveTensors } from "../../src/engine/index.js";
import { parseCsvRecords } from "../../src/io/csv.js";
import {
  DEFAULT_SETTINGS,
  defaultStudyModels,
  OVERHEAD_COLUMNS,
  type OverheadSettings,
  parseStudyModel,
  runOverhead,
  summarize,
} from "../../src/studies/overhead/index.js";
import { tempDir } from "../train/helpers.js";

const TINY: OverheadSettings = {
  ...DEFAULT_SETTINGS,
  batchSize: 2,
  iterations: 2,
  repeats: 2,
  warmup: 1,
  imageSize: 64,
};

describe("summarize", () => {
  it("takes the median and the range", () => {
    expect(summarize([3, 1, 2])).toMatchObject({ median: 2, spread: 2 });
    expect(summarize([4, 1, 2, 10])).toMatchObject({ median: 3, spread: 9 });
    expect(() => summarize([])).toThrow(/no samples/);
  });
});

describe("study models", () => {
  it("parses MediumCNN's kernel size and registry names, and names an unknown model", () => {
    expect(parseStudyModel("mediumcnn-k5")).toEqual({
      label: "mediumcnn-k5",
      name: "mediumcnn",
      kernelSize: 5,
    });
    expect(parseStudyModel("vgg16")).toEqual({ label: "vgg16", name: "vgg16" });
    expect(() => parseStudyModel("foo")).toThrow(/unknown model 'foo'/);
    const labels = defaultStudyModels().map((m) => m.label);
    expect(labels.slice(0, 4)).toEqual([
      "mediumcnn-k1",
      "mediumcnn-k3",
      "mediumcnn-k5",
      "mediumcnn-k7",
    ]);
    expect(labels).toContain("resnet50");
  });
});

describe("runOverhead", () => {
  it("writes overhead.csv with positive times and overhead = deterministic / default", async () => {
    const out = tempDir("overhead");
    const before = liveTensors();
    const stateBefore = determinismState();
    const estimates: [string, number, number][] = [];
    const run = await runOverhead([parseStudyModel("mediumcnn-k1")], TINY, out, {
      onEstimate: (model, msPerStep, stepsLeft) =>
        estimates.push([model.label, msPerStep, stepsLeft]),
    });
    expect(liveTensors()).toBe(before);
    // One estimate, after the first warm-up: its steps plus 2 modes × 2 repeats × 2 steps.
    expect(estimates).toEqual([["mediumcnn-k1", expect.any(Number), 1 + 2 * 2 * 2]]);
    expect(estimates[0]![1]).toBeGreaterThan(0);
    // Restored; the cuBLAS workspace variable stays set (cuBLAS reads it once, at its start).
    expect({ ...determinismState(), cublasWorkspaceConfig: null }).toEqual({
      ...stateBefore,
      cublasWorkspaceConfig: null,
    });
    expect(run.failures).toEqual([]);
    const text = readFileSync(join(out, "overhead.csv"), "utf8");
    const { columns, records } = parseCsvRecords(text);
    expect(columns).toEqual([...OVERHEAD_COLUMNS]);
    expect(records).toHaveLength(1);
    const record = records[0]!;
    expect(record).toMatchObject({
      model: "mediumcnn-k1",
      device: "cpu",
      threads: "1",
      batch_size: "2",
      iterations: "2",
      repeats: "2",
      warmup: "1",
      image_size: "64",
      memory_format: "contiguous",
      optimizer: "adam",
    });
    const defaultMs = Number(record.default_ms);
    const deterministicMs = Number(record.deterministic_ms);
    expect(defaultMs).toBeGreaterThan(0);
    expect(deterministicMs).toBeGreaterThan(0);
    expect(Number(record.default_spread_ms)).toBeGreaterThanOrEqual(0);
    expect(Number(record.overhead)).toBeCloseTo(deterministicMs / defaultMs, 3);
    // Each figure is the median of its repeats, and the overhead is their ratio.
    const [m] = run.measurements;
    expect(m!.defaultMs.samples).toHaveLength(2);
    expect(m!.overhead).toBe(m!.deterministicMs.median / m!.defaultMs.median);
    // The analysis reads it as the report expects.
    const problems: never[] = [];
    expect(readOverhead(out, problems)).toEqual([
      expect.objectContaining({ model: "mediumcnn-k1", batchSize: 2, iterations: 2 }),
    ]);
    expect(problems).toEqual([]);
    expect(run.chart).not.toBeNull();
    expect(existsSync(join(out, "overhead.svg"))).toBe(true);
    expect(readFileSync(join(out, "overhead.svg"), "utf8")).toContain("mediumcnn-k1");
  });

  it("reports a model that cannot run and measures the rest", async () => {
    const out = tempDir("overhead-fail");
    // MediumCNN pools six times: 32×32 inputs are pooled away before its last block.
    const settings = { ...TINY, imageSize: 32, repeats: 1, warmup: 0 };
    const run = await runOverhead(
      [parseStudyModel("mediumcnn-k1"), parseStudyModel("smallcnn")],
      settings,
      out,
    );
    expect(run.failures).toEqual([
      {
        model: "mediumcnn-k1",
        message: expect.stringMatching(/mediumcnn: input 32×32 is too small \(needs ≥ 64×64\)/),
      },
    ]);
    expect(run.measurements.map((m) => m.model)).toEqual(["smallcnn"]);
    expect(parseCsvRecords(readFileSync(join(out, "overhead.csv"), "utf8")).records).toHaveLength(
      1,
    );
  });
});

/**
 * A tiny real plan through the real trainer: plan.json, two worker processes, run folders,
 * then the analysis and the report that `nnr experiment run` writes at the end.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { experimentStatus } from "../../src/experiment/status.js";
import { captureConsole, tempDir, writeSpec } from "./helpers.js";

describe("nnr experiment run with the real trainer", () => {
  const printed = captureConsole();

  it("trains a 2-run Control plan in 2 workers, then analyses and reports it", async () => {
    const root = tempDir("e2e");
    const spec = writeSpec(root, {
      name: "tiny",
      replicates: 2,
      base: { epochs: 1, trainExamples: 300, testExamples: 200, saveEpochs: [1] },
      grid: { models: ["smallcnn"], datasets: ["fashion-mnist"], settings: ["control"] },
    });
    const out = join(root, "exp");
    const code = await main([
      "node",
      "nnr",
      "experiment",
      "run",
      "--plan",
      spec,
      "--out",
      out,
      "--workers",
      "2",
    ]);
    expect(code, printed.lines().join("\n")).toBe(0);

    expect(experimentStatus(out).counts).toEqual({ done: 2, running: 0, failed: 0, pending: 0 });
    const records = [0, 1].map((r) =>
      JSON.parse(
        readFileSync(join(out, "runs", `smallcnn_fashion-mnist_control_r${r}`, "run.json"), "utf8"),
      ),
    );
    for (const [replicate, record] of records.entries()) {
      expect(record).toMatchObject({ status: "complete", replicate, epochsDone: 1 });
      expect(record.config).toMatchObject({ trainExamples: 300, testExamples: 200, threads: 1 });
    }
    // Control fixes every source: the two replicates train to the same bits.
    expect(records[0].weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(records[1].weightsSha256).toBe(records[0].weightsSha256);

    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    expect(results.groups).toHaveLength(1);
    expect(results.groups[0]).toMatchObject({
      label: "smallcnn_fashion-mnist_control",
      examples: 200,
    });
    expect(results.groups[0].runs).toHaveLength(2);
    expect(existsSync(join(out, "report.html"))).toBe(true);
    const text = printed.lines().join("\n");
    expect(text).toMatch(/trained 2 runs here in [\d.]+ s/);
    expect(text).toMatch(
      /time: training [\d.]+ s, analysis [\d.]+ s, report [\d.]+ s; total [\d.]+ s/,
    );
    expect(text).toContain(`report: `);
  });

  it("trains a pooled tooling plan: fixed seeds, memory format × deterministic flag as one group", async () => {
    const root = tempDir("e2e-tooling");
    const spec = writeSpec(root, {
      name: "tooling-tiny",
      replicates: 2,
      base: { epochs: 1, trainExamples: 300, testExamples: 200, saveEpochs: [1] },
      grid: [
        {
          models: ["smallcnn"],
          datasets: ["fashion-mnist"],
          settings: ["control", "impl"],
          // SmallCNN's default layout first: the ALGO+IMPL runs beside the pool train in it.
          options: { memoryFormat: ["channels_last", "contiguous"] },
          pool: "tooling",
          replicates: 1,
        },
        { models: ["smallcnn"], datasets: ["fashion-mnist"], settings: ["algo+impl"] },
      ],
    });
    const out = join(root, "exp");
    const code = await main(["node", "nnr", "experiment", "run", "--plan", spec, "--out", out]);
    expect(code, printed.lines().join("\n")).toBe(0);

    const record = (id: string) =>
      JSON.parse(readFileSync(join(out, "runs", id, "run.json"), "utf8"));
    const ids = ["control", "impl"].flatMap((setting) =>
      ["channelslast", "contiguous"].map(
        (format) => `smallcnn_fashion-mnist_${setting}_memoryFormat-${format}_r0`,
      ),
    );
    const pooled = ids.map(record);
    for (const run of pooled) {
      expect(run.group).toBe("smallcnn_fashion-mnist_tooling");
      expect(run.pool.name).toBe("tooling");
    }
    expect(pooled.map((run) => run.config.memoryFormat)).toEqual([
      "channels_last",
      "contiguous",
      "channels_last",
      "contiguous",
    ]);
    // On the CPU libtorch's kernels are deterministic: the flag alone does not move the bits.
    expect(pooled[2].weightsSha256).toBe(pooled[0].weightsSha256);
    expect(pooled[3].weightsSha256).toBe(pooled[1].weightsSha256);

    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    const tooling = results.groups.find(
      (group: { setting: string }) => group.setting === "tooling",
    );
    expect(tooling.label).toBe("smallcnn_fashion-mnist_tooling");
    expect(tooling.runs).toHaveLength(4);
    const hashes = new Set(pooled.map((run) => run.weightsSha256));
    expect(tooling.identity.distinctHashes).toBe(hashes.size);
    const effect = (field: string) =>
      tooling.poolEffects.find((entry: { field: string }) => entry.field === field);
    // Same weights, same predictions: no accuracy change; the time ratio is whatever ran.
    expect(effect("setting")).toMatchObject({
      field: "setting",
      pairs: 2,
      pairsWithDifferentWeights: 0,
      meanChurn: 0,
      meanAccuracyChange: 0,
    });
    expect(effect("setting").timeRatio).toBeGreaterThan(0);
    expect(effect("memoryFormat")).toMatchObject({ pairs: 2 });
    expect(results.comparisons).toHaveLength(1);
    expect([results.comparisons[0].settingA, results.comparisons[0].settingB]).toEqual([
      "algo+impl",
      "tooling",
    ]);
    const report = readFileSync(join(out, "report.html"), "utf8");
    // 4 runs in hashes.size sets of identical weights: the report names the shared ones.
    expect(report).toContain(
      hashes.size === 4
        ? "No two of the 4 runs ended with bit-identical weights."
        : "Runs that ended with bit-identical weights: {",
    );
  });
});

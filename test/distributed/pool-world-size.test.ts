/**
 * The world size as a pooled tooling field: a plan varying worldSize 1 and 2 with every seed
 * fixed trains both (the 2-process run through the runner's own ranks), and the analysis lists
 * worldSize among the fields changed alone, with what the two runs really did: whether their
 * weights differ, their churn, accuracy change and time ratio.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readRunRecord } from "../../src/train/index.js";
import { tempDir } from "../train/helpers.js";
import { startCli } from "./helpers.js";

describe("a tooling pool varying worldSize", () => {
  it("lists the world size in the per-field analysis with the runs' own result", async () => {
    const root = tempDir("dp-pool");
    const plan = join(root, "plan.json");
    writeFileSync(
      plan,
      JSON.stringify({
        name: "dp-pool",
        replicates: 1,
        base: { epochs: 1, trainExamples: 256, testExamples: 64, batchSize: 32, saveEpochs: [1] },
        grid: {
          models: ["smallcnn"],
          datasets: ["fashion-mnist"],
          settings: ["control"],
          options: { worldSize: [1, 2] },
          pool: "tooling",
        },
      }),
    );
    const out = join(root, "exp");
    const ran = await startCli(["experiment", "run", "--plan", plan, "--out", out]).done;
    expect(ran.code, ran.stderr + ran.stdout).toBe(0);

    const runs = join(out, "runs");
    const records = readdirSync(runs)
      .map((id) => readRunRecord(join(runs, id))!)
      .sort((a, b) => (a.config.worldSize ?? 1) - (b.config.worldSize ?? 1));
    expect(records.map((record) => record.status)).toEqual(["complete", "complete"]);
    expect(records.map((record) => record.config.worldSize)).toEqual([undefined, 2]);
    expect(records[1]!.distributed?.worldSize).toBe(2);
    // The reference records worldSize 1 although a one-process config leaves it out.
    for (const record of records) expect(record.pool?.reference).toMatchObject({ worldSize: 1 });

    const results = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    const [pool] = results.groups;
    expect(results.groups).toHaveLength(1);
    expect(pool.label).toBe("smallcnn_fashion-mnist_tooling");
    const effect = pool.poolEffects.find((entry: { field: string }) => entry.field === "worldSize");
    const differ = records[0]!.weightsSha256 !== records[1]!.weightsSha256;
    expect(effect).toMatchObject({ field: "worldSize", pairs: 1 });
    expect(effect.pairsWithDifferentWeights).toBe(differ ? 1 : 0);
    // Churn and the accuracy change follow from the bits: none where the weights agree.
    if (!differ) expect([effect.meanChurn, effect.meanAccuracyChange]).toEqual([0, 0]);
    expect(effect.meanChurn).toBeGreaterThanOrEqual(0);
    expect(effect.timeRatio).toBeCloseTo(records[1]!.seconds / records[0]!.seconds, 6);
    const report = readFileSync(join(out, "report.html"), "utf8");
    expect(report).toContain(
      differ
        ? "the data-parallel world size changes"
        : "the data-parallel world size keeps the bits",
    );
  }, 400_000);
});

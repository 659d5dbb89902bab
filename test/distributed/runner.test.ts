/**
 * The experiment runner gives a run with worldSize 2 two processes (its worker launches both
 * ranks and waits): the run ends with the same bits as `nnr train --nproc 2` of that config.
 */
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readRunRecord } from "../../src/train/index.js";
import { tempDir } from "../train/helpers.js";
import { CONTROL_RUN, startCli } from "./helpers.js";

describe("the experiment runner and worldSize", () => {
  it("runs a 2-process run bit-identical to --nproc 2", async () => {
    const root = tempDir("dp-runner");
    const plan = join(root, "plan.json");
    writeFileSync(
      plan,
      JSON.stringify({
        name: "dp",
        replicates: 1,
        base: { epochs: 2, trainExamples: 256, testExamples: 64, batchSize: 32, worldSize: 2 },
        grid: { models: ["smallcnn"], datasets: ["fashion-mnist"], settings: ["control"] },
      }),
    );
    const experiment = startCli([
      "experiment",
      "run",
      "--plan",
      plan,
      "--out",
      join(root, "exp"),
      "--no-analysis",
    ]);
    const direct = startCli([
      "train",
      "--out",
      join(root, "direct"),
      ...CONTROL_RUN,
      "--nproc",
      "2",
    ]);
    const [ran, trained] = await Promise.all([experiment.done, direct.done]);
    expect(ran.code, ran.stderr + ran.stdout).toBe(0);
    expect(trained.code, trained.stderr).toBe(0);
    const runs = join(root, "exp", "runs");
    const [only] = readdirSync(runs);
    const record = readRunRecord(join(runs, only!))!;
    expect(record.status).toBe("complete");
    expect(record.distributed?.worldSize).toBe(2);
    expect(record.weightsSha256).toBe(readRunRecord(join(root, "direct"))!.weightsSha256);
  }, 400_000);
});

/**
 * `nnr train --nproc 2 --sync-batchnorm`: two Control runs are bit-identical, run.json and the
 * config say BatchNorm was synchronised (so the run falls in a group of its own), and the bits
 * differ from per-rank BatchNorm's. Where it would change nothing — one process, a model
 * without BatchNorm — the flag is refused in one line.
 */
import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { expandPlan } from "../../src/experiment/plan.js";
import type { PlanSpec } from "../../src/experiment/plan-spec.js";
import { readRunRecord, resolveRunConfig } from "../../src/train/index.js";
import { runCli, tempDir } from "../train/helpers.js";
import { CONTROL_RUN, startCli } from "./helpers.js";

/** Smaller than CONTROL_RUN: 4 steps of 32 are enough to tell the two BatchNorms apart. */
const BN_RUN = [
  ...["--setting", "control", "--train-examples", "128", "--test-examples", "32"],
  ...["--batch-size", "32", "--epochs", "1", "--bn", "--nproc", "2"],
];

describe("nnr train --sync-batchnorm", () => {
  const root = tempDir("sync-bn-cli");

  it("two Control runs are bit-identical; run.json records synchronised BatchNorm", async () => {
    const dirs = [`${root}/a`, `${root}/b`];
    const runs = dirs.map((out) =>
      startCli(["train", "--out", out, ...BN_RUN, "--sync-batchnorm"]),
    );
    for (const finished of await Promise.all(runs.map((r) => r.done))) {
      expect(finished.code, finished.stderr).toBe(0);
    }
    const [a, b] = dirs.map((dir) => readRunRecord(dir)!);
    expect(a!.status).toBe("complete");
    expect(b!.weightsSha256).toBe(a!.weightsSha256);
    expect(a!.distributed!.batchNorm).toBe("synchronized");
    expect(a!.config.syncBatchNorm).toBe(true);
    expect(a!.group).toBe("smallcnn_bn_syncbn_fashion-mnist_control");

    const perRank = `${root}/per-rank`;
    const finished = await startCli(["train", "--out", perRank, ...BN_RUN]).done;
    expect(finished.code, finished.stderr).toBe(0);
    const c = readRunRecord(perRank)!;
    expect(c.distributed!.batchNorm).toBe("per-rank");
    expect(c.config.syncBatchNorm).toBeUndefined();
    expect(c.group).toBe("smallcnn_bn_fashion-mnist_control");
    expect(c.weightsSha256).not.toBe(a!.weightsSha256);
  }, 300_000);

  it("is refused in one process, in one line", async () => {
    const out = `${root}/alone`;
    const result = await runCli([
      "train",
      "--out",
      out,
      ...CONTROL_RUN,
      "--bn",
      "--sync-batchnorm",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      "nnr: --sync-batchnorm (syncBatchNorm) synchronises BatchNorm across data-parallel processes; add --nproc 2 or more (worldSize), or drop it",
    );
    expect(existsSync(out)).toBe(false);
  });

  it("is refused on a model without BatchNorm, and a plan's false leaves the config as it was", () => {
    expect(() => resolveRunConfig({ worldSize: 2, syncBatchNorm: true })).toThrow(
      "--sync-batchnorm (syncBatchNorm): this SmallCNN has no BatchNorm; add --bn (batchNorm: true), or drop it",
    );
    const plain = resolveRunConfig({ worldSize: 2, batchNorm: true });
    expect(resolveRunConfig({ worldSize: 2, batchNorm: true, syncBatchNorm: false })).toEqual(
      plain,
    );
    expect(resolveRunConfig({ worldSize: 2, batchNorm: true, syncBatchNorm: true })).toEqual({
      ...plain,
      syncBatchNorm: true,
    });
    // Models whose BatchNorm is built in take it without --bn.
    expect(
      resolveRunConfig({ model: "resnet18", worldSize: 2, syncBatchNorm: true }).syncBatchNorm,
    ).toBe(true);
  });

  it("a plan varies it as a run-config field: two groups", () => {
    const spec: PlanSpec = {
      replicates: 1,
      base: { worldSize: 2, batchNorm: true },
      grid: {
        models: ["smallcnn"],
        datasets: ["fashion-mnist"],
        settings: ["control"],
        options: { syncBatchNorm: [false, true] },
      },
    };
    const runs = expandPlan(spec, "plan.json").runs;
    expect(runs.map((run) => [run.group, run.config.syncBatchNorm])).toEqual([
      ["smallcnn_bn_fashion-mnist_control", undefined],
      ["smallcnn_bn_syncbn_fashion-mnist_control", true],
    ]);
  });
});

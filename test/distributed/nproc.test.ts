/**
 * `nnr train --nproc 2`: Control runs (every noise source fixed) over 2 ranks on the loopback
 * are bit-identical to each other, and to the same run started by hand as two processes with
 * the environment torchrun sets; rank 0 alone writes the folder, and run.json says how the
 * run was spread.
 */
import { describe, expect, it } from "vitest";
import { readRunRecord } from "../../src/train/index.js";
import { tempDir } from "../train/helpers.js";
import { CONTROL_RUN, freePort, startCli, startRanks } from "./helpers.js";

describe("nnr train --nproc 2", () => {
  const root = tempDir("nproc");
  const first = `${root}/first`;

  it("two Control runs are bit-identical, and run.json records the layout", async () => {
    const runs = [first, `${root}/second`].map((out) =>
      startCli(["train", "--out", out, ...CONTROL_RUN, "--nproc", "2"]),
    );
    for (const finished of await Promise.all(runs.map((r) => r.done))) {
      expect(finished.code, finished.stderr).toBe(0);
      // Rank 0 prints the result; the parent and rank 1 add nothing.
      expect(finished.stdout.trim().split("\n")).toHaveLength(1);
    }
    const [a, b] = [first, `${root}/second`].map((dir) => readRunRecord(dir)!);
    expect(a!.status).toBe("complete");
    expect(a!.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(b!.weightsSha256).toBe(a!.weightsSha256);
    expect(a!.config.worldSize).toBe(2);
    const distributed = a!.distributed!;
    expect(distributed.worldSize).toBe(2);
    expect(distributed.backend).toBe("gloo");
    expect(distributed.batchSplit).toBe("contiguous");
    // SmallCNN is far below 1 MiB: one bucket, its parameters in reverse order.
    expect(distributed.buckets.buckets).toHaveLength(1);
    expect(distributed.buckets.buckets[0]!.parameters).toEqual([
      "fc2.bias",
      "fc2.weight",
      "fc1.bias",
      "fc1.weight",
      "conv3.bias",
      "conv3.weight",
      "conv2.bias",
      "conv2.weight",
      "conv1.bias",
      "conv1.weight",
    ]);
  }, 400_000);

  it("the same run launched by hand with the launcher's environment gives the same bits", async () => {
    const byHand = `${root}/by-hand`;
    const ranks = startRanks(["train", "--out", byHand, ...CONTROL_RUN], 2, await freePort());
    const finished = await Promise.all(ranks.map((r) => r.done));
    for (const rank of finished) expect(rank.code, rank.stderr).toBe(0);
    expect(finished[1]!.stdout).toBe("");
    expect(readRunRecord(byHand)!.weightsSha256).toBe(readRunRecord(first)!.weightsSha256);
  }, 400_000);
});

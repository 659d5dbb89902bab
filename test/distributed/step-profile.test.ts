/**
 * NNR_DP_PROFILE=1 (src/distributed/step-profile.ts): each rank of a 2-rank run prints one
 * stderr line of its phases, the gradient allreduce counted once per step; without it the run
 * prints no such line. The run's bits do not depend on it.
 */
import { describe, expect, it } from "vitest";
import { readRunRecord } from "../../src/train/index.js";
import { tempDir } from "../train/helpers.js";
import { CONTROL_RUN, startCli } from "./helpers.js";

describe("NNR_DP_PROFILE", () => {
  const root = tempDir("step-profile");

  it("prints one line per rank when set, none otherwise, and leaves the bits alone", async () => {
    const args = (out: string) => ["train", "--out", out, ...CONTROL_RUN, "--nproc", "2"];
    const [profiled, plain] = await Promise.all([
      startCli(args(`${root}/profiled`), { NNR_DP_PROFILE: "1" }).done,
      startCli(args(`${root}/plain`)).done,
    ]);
    expect(profiled.code, profiled.stderr).toBe(0);
    expect(plain.code, plain.stderr).toBe(0);
    const lines = profiled.stderr.split("\n").filter((l) => l.startsWith("[profile] rank "));
    expect(lines.map((l) => l.slice(0, 16)).sort()).toEqual([
      "[profile] rank 0",
      "[profile] rank 1",
    ]);
    const record = readRunRecord(`${root}/profiled`)!;
    // One allreduce of the gradients per step: 256 examples in batches of the run's size.
    const steps = Math.ceil(256 / record.config.batchSize) * record.config.epochs;
    for (const line of lines) expect(line).toMatch(new RegExp(`allreduce \\d+ ms/${steps}\\b`));
    expect(plain.stderr).not.toContain("[profile]");
    expect(readRunRecord(`${root}/plain`)!.weightsSha256).toBe(record.weightsSha256);
  }, 120_000);
});

/**
 * Synchronised BatchNorm over 2 ranks on the loopback against one process training on the
 * whole global batch with plain BatchNorm (libtorch's at::batch_norm): the same start, the same
 * batches, 3 SGD steps of a Conv-BatchNorm-Linear net (sync-bn-worker.ts). The two are the same
 * computation in exact arithmetic, so outputs, averaged gradients, weights and running
 * statistics must agree at every step; with per-rank BatchNorm (DDP's default) they must not.
 *
 * Tolerance: 1e-5 absolute, on values of magnitude ≤ 3. The sums are taken in another order:
 * the global mean and variance are combined from each rank's half (Chan's formula, float64)
 * where at::batch_norm accumulates the whole batch in float32, and the backward's per-channel
 * sums are taken per rank and then added. Each is float32 rounding (ulp 6e-8 at 1) over sums of
 * 128 terms, compounded over 3 steps: measured ≤ 8e-7 here. A real fault moves far more: per-rank
 * statistics differ by more than 1e-2 at step 1, and a biased variance in the running
 * statistics (a factor 127/128) by about 5e-4.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "../train/helpers.js";
import { freePort, rankEnv, start } from "./helpers.js";
import { SYNC_BN_CASE } from "./sync-bn-case.js";

const TOLERANCE = 1e-5;
const worker = new URL("./sync-bn-worker.ts", import.meta.url).pathname;

type Values = Record<string, number[]>;
interface Step {
  outputs: number[];
  gradients: Values;
  state: Values;
}
type Mode = "single" | "synchronized" | "per-rank";

async function train(dir: string, mode: Mode): Promise<void> {
  const args = ["--import", "tsx", worker, dir, mode];
  const ranks =
    mode === "single"
      ? [start(process.execPath, args)]
      : await freePort().then((port) =>
          [0, 1].map((rank) => start(process.execPath, args, rankEnv(rank, 2, port))),
        );
  for (const finished of await Promise.all(ranks.map((r) => r.done))) {
    expect(finished.code, finished.stderr).toBe(0);
  }
}

const read = (dir: string, mode: Mode, rank: number): Step[] =>
  JSON.parse(readFileSync(join(dir, `${mode}-rank${rank}.json`), "utf8"));

const maxDifference = (a: number[], b: number[]) => {
  expect(a).toHaveLength(b.length);
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
};
const maxOver = (a: Values, b: Values) =>
  Math.max(...Object.keys(b).map((name) => maxDifference(a[name]!, b[name]!)));

/** Per step, the largest difference of each kind between a 2-rank run and the reference. */
function differences(dir: string, mode: Mode) {
  const single = read(dir, "single", 0);
  const [zero, one] = [read(dir, mode, 0), read(dir, mode, 1)];
  expect(single).toHaveLength(SYNC_BN_CASE.steps);
  return single.map((reference, step) => ({
    // Rank 0 holds the first half of every batch, rank 1 the second.
    outputs: maxDifference([...zero[step]!.outputs, ...one[step]!.outputs], reference.outputs),
    gradients: maxOver(zero[step]!.gradients, reference.gradients),
    weights: maxOver(zero[step]!.state, reference.state),
    ranksAgree:
      JSON.stringify([zero[step]!.gradients, zero[step]!.state]) ===
      JSON.stringify([one[step]!.gradients, one[step]!.state]),
  }));
}

describe("synchronised BatchNorm over 2 ranks", () => {
  const dir = tempDir("sync-bn");
  const trained = Promise.all([train(dir, "single"), train(dir, "synchronized")]);

  it("matches one process on the global batch: outputs, gradients, weights, running statistics", async () => {
    await trained;
    const steps = differences(dir, "synchronized");
    for (const [step, d] of steps.entries()) {
      expect(d.outputs, `outputs, step ${step + 1}`).toBeLessThanOrEqual(TOLERANCE);
      expect(d.gradients, `gradients, step ${step + 1}`).toBeLessThanOrEqual(TOLERANCE);
      expect(d.weights, `state dict, step ${step + 1}`).toBeLessThanOrEqual(TOLERANCE);
      // Every rank combines the same gathered statistics in the same order: the same bits.
      expect(d.ranksAgree, `ranks agree, step ${step + 1}`).toBe(true);
    }
    // The comparison means something only if training moved the weights and the statistics.
    const single = read(dir, "single", 0);
    const first = single[0]!.state;
    const last = single.at(-1)!.state;
    expect(maxOver(last, first)).toBeGreaterThan(1e-2);
    expect(Math.max(...last["1.running_mean"]!.map(Math.abs))).toBeGreaterThan(1e-1);
  }, 120_000);

  it("per-rank BatchNorm (DDP's default) does not match it", async () => {
    await trained;
    await train(dir, "per-rank");
    const [first] = differences(dir, "per-rank");
    expect(first!.outputs).toBeGreaterThan(100 * TOLERANCE);
    expect(first!.gradients).toBeGreaterThan(100 * TOLERANCE);
    expect(first!.weights).toBeGreaterThan(100 * TOLERANCE);
  }, 120_000);

  it("a peer gone before the backward: the other leaves with one line, not a hang", async () => {
    const port = await freePort();
    const args = ["--import", "tsx", worker, dir, "peer-gone"];
    const ranks = [0, 1].map((rank) => start(process.execPath, args, rankEnv(rank, 2, port)));
    const [zero, one] = await Promise.all(ranks.map((r) => r.done));
    expect(one!.code, one!.stderr).toBe(0);
    expect(zero!.code, zero!.stderr).toBe(3);
    const lines = zero!.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^UserError: synchronised BatchNorm's backward all-reduce on rank 0 of 2 failed \(a peer exited, or did not answer within 30\.0 s\): \S/,
    );
  }, 60_000);
});

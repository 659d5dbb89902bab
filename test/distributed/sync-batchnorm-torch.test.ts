/**
 * The synchronised-BatchNorm operation against PyTorch: 2 ranks split a global batch of 7 as
 * 4 + 3 (so their counts differ) and each normalises and back-propagates its slice
 * (sync-bn-op-worker.ts); Python's torch.nn.functional.batch_norm does the same on the whole
 * batch (scripts/reference/sync_batchnorm_reference.py; PyTorch 1.13's SyncBatchNorm refuses
 * CPU tensors, and on the global batch it is this computation). The ranks' outputs and input
 * gradients, put together, and their weight and bias gradients, added, must be PyTorch's, and
 * each rank's running statistics PyTorch's.
 *
 * Tolerance: 1e-5 × max(1, |PyTorch's value|). The sums run in another order (per rank, then
 * combined in float64 forward and added in float32 backward); float32 rounding over the 112
 * values of a channel stays near 1e-6 (measured ≤ 1.2e-6 on gradients of magnitude up to 19). A
 * count weighted wrongly (the 4 + 3 split taken as 2 equal halves) or the biased variance in
 * the running statistics moves them by more than 1e-3.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PYTHON, pythonTorchUnavailable } from "../engine/pytorch-reference.js";
import { tempDir } from "../train/helpers.js";
import { freePort, rankEnv, start } from "./helpers.js";

const TOLERANCE = 1e-5;
const worker = new URL("./sync-bn-op-worker.ts", import.meta.url).pathname;
const reference = new URL("../../scripts/reference/sync_batchnorm_reference.py", import.meta.url)
  .pathname;
const noTorch = pythonTorchUnavailable();

interface Result {
  out: number[];
  gradInput: number[];
  gradWeight: number[];
  gradBias: number[];
  runningMean: number[];
  runningVar: number[];
}

function expectClose(ours: number[], theirs: number[], what: string): void {
  expect(ours, what).toHaveLength(theirs.length);
  ours.forEach((value, i) => {
    const bound = TOLERANCE * Math.max(1, Math.abs(theirs[i]!));
    expect(Math.abs(value - theirs[i]!), `${what}[${i}]`).toBeLessThanOrEqual(bound);
  });
}

describe.skipIf(noTorch !== null)(
  `synchronised BatchNorm against torch.nn.functional.batch_norm${noTorch ? ` (skipped: ${noTorch})` : ""}`,
  () => {
    it("2 uneven slices give PyTorch's output, gradients and running statistics", async () => {
      const dir = tempDir("sync-bn-op");
      const port = await freePort();
      const args = ["--import", "tsx", worker, dir];
      const ranks = [0, 1].map((rank) => start(process.execPath, args, rankEnv(rank, 2, port)));
      for (const finished of await Promise.all(ranks.map((r) => r.done))) {
        expect(finished.code, finished.stderr).toBe(0);
      }
      const python = await start(PYTHON, [reference, dir]).done;
      expect(python.code, python.stderr).toBe(0);
      const read = (name: string): Result =>
        JSON.parse(readFileSync(join(dir, `${name}.json`), "utf8"));
      const [zero, one, torch] = [read("op-rank0"), read("op-rank1"), read("op-torch")];
      const added = (a: number[], b: number[]) => a.map((x, i) => x + b[i]!);
      expectClose([...zero.out, ...one.out], torch.out, "output");
      expectClose([...zero.gradInput, ...one.gradInput], torch.gradInput, "input gradient");
      expectClose(added(zero.gradWeight, one.gradWeight), torch.gradWeight, "weight gradient");
      expectClose(added(zero.gradBias, one.gradBias), torch.gradBias, "bias gradient");
      for (const rank of [zero, one]) {
        expectClose(rank.runningMean, torch.runningMean, "running mean");
        expectClose(rank.runningVar, torch.runningVar, "running variance");
      }
    }, 60_000);
  },
);

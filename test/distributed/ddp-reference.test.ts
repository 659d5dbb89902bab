/**
 * nnr's data parallelism against PyTorch's own DistributedDataParallel (Gloo backend, Debian's
 * python3-torch), both over 2 ranks on the loopback: the same initial weights (rank 0's, which
 * each side must broadcast: rank 1 starts from other weights), the same global batches split
 * the same way, SGD with momentum, and a BatchNorm layer (per-rank batch statistics, running
 * statistics broadcast from rank 0 before every forward). The whole state dict is compared
 * after every step.
 *
 * Tolerance: 1e-6 absolute on weights of magnitude ≤ 1. Both sides run libtorch 1.13's
 * kernels on this CPU and at world size 2 the average ((a + b) / 2, as a/2 + b/2) is exact, so
 * the states agree bit for bit here; the tolerance leaves room only for float32 rounding of
 * an equivalent composition of ops (about 1e-7 per step over 5 steps) if the two libtorch
 * builds differ. A real fault (a sum for a mean, a missing buffer broadcast, another slice of
 * the batch, no start-up broadcast) moves the weights by more than 1e-3 in one step.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PYTHON, pythonTorchUnavailable } from "../engine/pytorch-reference.js";
import { tempDir } from "../train/helpers.js";
import { DDP_CASE } from "./ddp-case.js";
import { ddpReference, ddpWorker, freePort, rankEnv, start } from "./helpers.js";

type State = Record<string, number[]>;
const TOLERANCE = 1e-6;
const noTorch = pythonTorchUnavailable();

async function runRanks(command: string, args: string[]): Promise<void> {
  const port = await freePort();
  const ranks = [0, 1].map((rank) => start(command, args, rankEnv(rank, 2, port)));
  for (const finished of await Promise.all(ranks.map((r) => r.done))) {
    expect(finished.code, finished.stderr).toBe(0);
  }
}

const maxDifference = (a: State, b: State) =>
  Math.max(
    ...Object.keys(a).map((name) =>
      Math.max(...a[name]!.map((x, i) => Math.abs(x - b[name]![i]!))),
    ),
  );

describe.skipIf(noTorch !== null)(
  `2 ranks against PyTorch's DistributedDataParallel${noTorch ? ` (skipped: ${noTorch})` : ""}`,
  () => {
    it("agrees with DDP on the whole state after every step", async () => {
      const dir = tempDir("ddp");
      await runRanks(process.execPath, ["--import", "tsx", ddpWorker, dir]);
      const { steps, globalBatch, lr, momentum } = DDP_CASE;
      await runRanks(PYTHON, [
        ddpReference,
        dir,
        String(steps),
        String(globalBatch),
        String(lr),
        String(momentum),
      ]);
      const read = (name: string) => JSON.parse(readFileSync(join(dir, name), "utf8"));
      const init: State = read("init.json");
      const ours: State[] = read("nnr-steps.json");
      const theirs: State[] = read("torch-steps.json");
      expect(ours).toHaveLength(steps);
      expect(theirs).toHaveLength(steps);
      expect(Object.keys(ours[0]!)).toEqual(Object.keys(theirs[0]!));
      // The comparison means something only if training moved the weights.
      expect(maxDifference(ours[steps - 1]!, init)).toBeGreaterThan(1e-2);
      for (let step = 0; step < steps; step++) {
        expect(maxDifference(ours[step]!, theirs[step]!), `step ${step + 1}`).toBeLessThanOrEqual(
          TOLERANCE,
        );
      }
    });
  },
);

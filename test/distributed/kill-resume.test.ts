/**
 * A rank killed without warning: the other notices at its next collective (Gloo sees the
 * connection close) and exits within seconds with one line, leaving the folder resumable;
 * `nnr train --resume` then relaunches both ranks (the world size comes from run.json) and
 * ends bit-identical to the same run never interrupted. The kill follows rank 0's "epoch 1/3"
 * line, printed after epoch 1's checkpoint and before epoch 2 starts, and an epoch of 32
 * steps lasts far longer than the kill takes to land.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readRunRecord } from "../../src/train/index.js";
import { tempDir } from "../train/helpers.js";
import { freePort, lastLine, startCli, startRanks, waitForLine } from "./helpers.js";

const RUN = [
  "--setting",
  "control",
  "--train-examples",
  "1024",
  "--test-examples",
  "64",
  "--batch-size",
  "32",
  "--epochs",
  "3",
];
/**
 * How soon the surviving rank must be gone: Gloo reports a closed peer at once (about a
 * second here, on a busy machine); the rest is margin for a loaded CI runner.
 */
const EXIT_WITHIN_MS = 10_000;

/** The pid of the child of `parent` whose environment says RANK=rank (Linux's /proc). */
function childRank(parent: number, rank: number): number | null {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(
        readFileSync(`/proc/${entry}/stat`, "utf8").split(") ")[1]!.split(" ")[1],
      );
      if (ppid !== parent) continue;
      const env = readFileSync(`/proc/${entry}/environ`, "utf8").split("\0");
      if (env.includes(`RANK=${rank}`)) return Number(entry);
    } catch {
      // The process ended while we looked.
    }
  }
  return null;
}

describe("a rank killed mid-run", () => {
  it("stops the other within seconds with one line, and --resume ends bit-identical", async () => {
    const root = tempDir("kill");
    const straight = startCli(["train", "--out", `${root}/straight`, ...RUN, "--nproc", "2"]);
    const killed = `${root}/killed`;
    const [rank0, rank1] = startRanks(["train", "--out", killed, ...RUN], 2, await freePort());
    await waitForLine(rank0!, /epoch 1\/3:/, 120_000);
    rank1!.child.kill("SIGKILL");
    const killedAt = Date.now();
    const survivor = await rank0!.done;
    expect(Date.now() - killedAt).toBeLessThan(EXIT_WITHIN_MS);
    expect((await rank1!.done).signal).toBe("SIGKILL");
    expect(survivor.code).not.toBe(0);
    const error = lastLine(survivor.stderr);
    expect(error).toMatch(/^nnr: .*rank 0 of 2 failed \(a peer exited/);
    expect(survivor.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const interrupted = readRunRecord(killed)!;
    expect(interrupted.status).toBe("failed");
    expect(interrupted.epochsDone).toBeGreaterThanOrEqual(1);
    expect(interrupted.epochsDone).toBeLessThan(3);

    const resumed = await startCli(["train", "--resume", killed]).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming .* after epoch/);
    const reference = await straight.done;
    expect(reference.code, reference.stderr).toBe(0);
    const final = readRunRecord(killed)!;
    expect(final.status).toBe("complete");
    expect(final.weightsSha256).toBe(readRunRecord(`${root}/straight`)!.weightsSha256);
  }, 400_000);

  it("under --nproc, the parent reports the dead rank in one line after rank 0 marks the run failed", async () => {
    const dir = `${tempDir("kill-nproc")}/run`;
    const parent = startCli(["train", "--out", dir, ...RUN, "--nproc", "2"]);
    await waitForLine(parent, /epoch 1\/3:/, 120_000);
    const rank1 = childRank(parent.child.pid!, 1);
    expect(rank1).not.toBeNull();
    process.kill(rank1!, "SIGKILL");
    const killedAt = Date.now();
    const finished = await parent.done;
    expect(Date.now() - killedAt).toBeLessThan(EXIT_WITHIN_MS);
    expect(finished.code).toBe(1);
    expect(finished.stderr).toMatch(/\nnnr: .*rank 0 of 2 failed \(a peer exited/);
    expect(lastLine(finished.stderr)).toBe(
      "nnr: rank 1 of 2 was killed (SIGKILL); the run stopped (its folder can continue with --resume)",
    );
    expect(readRunRecord(dir)!.status).toBe("failed");
  }, 400_000);
});

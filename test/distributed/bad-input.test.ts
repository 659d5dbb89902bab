/**
 * Bad distributed input ends in one line and a non-zero exit, never a hang: a port in use, a
 * master nobody serves, ranks that disagree on the world size, a launcher environment that is
 * incomplete or contradicts --nproc, a batch that does not split, a CUDA device (no NCCL
 * yet). A rank that waits for a master nobody serves runs under --dist-timeout 3 and gives up
 * after 3 s; the ranks that
 * disagree on the world size get 60 s to meet (their start-ups can lie seconds apart on a busy
 * machine) and then fail at once. EXIT_WITHIN_MS bounds a whole process, start-up included:
 * the 3 s, plus the start of Node and libtorch, which takes up to a minute when the test files
 * run side by side on a busy 2-core machine. A hang would outlast it (the default timeout is
 * 30 minutes), and the messages say which wait gave up.
 */
import { createServer, type Server } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../train/helpers.js";
import { CONTROL_RUN, type Finished, freePort, lastLine, rankEnv, startCli } from "./helpers.js";

const TIMEOUT = ["--dist-timeout", "3"];
const EXIT_WITHIN_MS = 3_000 + 90_000;

async function timed(run: Promise<Finished>): Promise<Finished & { ms: number }> {
  const started = Date.now();
  const finished = await run;
  return { ...finished, ms: Date.now() - started };
}

function expectOneLineError(finished: Finished & { ms: number }, pattern: RegExp): void {
  expect(finished.code, finished.stderr).not.toBe(0);
  expect(finished.ms).toBeLessThan(EXIT_WITHIN_MS);
  expect(lastLine(finished.stderr)).toMatch(pattern);
  expect(finished.stderr).not.toMatch(/\n\s+at |WARNING|socket\.cpp/);
}

describe("bad distributed input", () => {
  const out = () => ["--out", `${tempDir("bad-dist")}/run`];
  let held: Server | null = null;
  afterAll(() => held?.close());

  it("a port in use, an unreachable master, mismatched world sizes", async () => {
    const busyPort = await freePort();
    held = createServer();
    await new Promise<void>((resolve) => held!.listen(busyPort, "127.0.0.1", resolve));
    const nobodyPort = await freePort();
    const mismatchPort = await freePort();
    const args = ["train", ...CONTROL_RUN, ...TIMEOUT];
    const meet = ["train", ...CONTROL_RUN, "--dist-timeout", "60"];
    const [busy, unreachable, mismatch0, mismatch1] = await Promise.all([
      timed(startCli([...args, ...out()], rankEnv(0, 2, busyPort)).done),
      timed(startCli([...args, ...out()], rankEnv(1, 2, nobodyPort)).done),
      timed(startCli([...meet, ...out()], rankEnv(0, 2, mismatchPort)).done),
      timed(
        startCli([...meet, ...out()], { ...rankEnv(1, 2, mismatchPort), WORLD_SIZE: "4" }).done,
      ),
    ]);
    expectOneLineError(
      busy,
      new RegExp(`^nnr: .*port ${busyPort} is in use; choose another MASTER_PORT`),
    );
    expectOneLineError(
      unreachable,
      /^nnr: cannot reach the master at 127\.0\.0\.1:\d+ within 3\.0 s/,
    );
    expectOneLineError(
      mismatch0,
      /^nnr: rank 1 was started with WORLD_SIZE=4, rank 0 with WORLD_SIZE=2$/,
    );
    expectOneLineError(mismatch1, /^nnr: /);
  }, 200_000);

  it("an incomplete or contradictory launcher environment, a batch that does not split", async () => {
    const noMaster = { RANK: "0", WORLD_SIZE: "2" };
    const [missing, contradicts, badRank, uneven, cuda] = await Promise.all([
      timed(startCli(["train", ...CONTROL_RUN, ...out()], noMaster).done),
      timed(startCli(["train", ...CONTROL_RUN, ...out(), "--nproc", "3"], rankEnv(0, 2, 1)).done),
      timed(startCli(["train", ...CONTROL_RUN, ...out()], rankEnv(2, 2, 1)).done),
      timed(startCli(["train", ...CONTROL_RUN, ...out(), "--nproc", "3"]).done),
      timed(startCli(["train", ...CONTROL_RUN, ...out(), "--nproc", "2", "--device", "cuda"]).done),
    ]);
    expectOneLineError(missing, /^nnr: MASTER_ADDR is not set/);
    expectOneLineError(contradicts, /^nnr: --nproc 3 disagrees with the launcher's world size 2/);
    expectOneLineError(badRank, /^nnr: RANK=2 is not below the world size 2/);
    expectOneLineError(uneven, /^nnr: --batch-size 32 does not split evenly over 3 processes/);
    expectOneLineError(
      cuda,
      /^nnr: --device cuda: training over several processes runs on the CPU \(Gloo\) only/,
    );
  }, 200_000);
});

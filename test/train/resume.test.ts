/**
 * Crash-safe resume: a deterministic run killed with SIGKILL mid-epoch, then resumed, ends
 * bit-identical to the same run uninterrupted; the folder never claims `complete` early.
 */
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { readRunRecord } from "../../src/train/index.js";
import { runCli, spawnCli, tempDir } from "./helpers.js";

const RUN = [
  "--setting",
  "control",
  "--train-examples",
  "3000",
  "--test-examples",
  "256",
  "--batch-size",
  "32",
  "--epochs",
  "4",
];

describe("resume after SIGKILL", () => {
  it("continues from the last complete epoch and ends bit-identical", async () => {
    const root = tempDir("resume");
    const straight = await runCli(["train", "--out", join(root, "straight"), ...RUN]);
    expect(straight.code, straight.stderr).toBe(0);
    const expected = readRunRecord(join(root, "straight"))!.weightsSha256;

    const killedDir = join(root, "killed");
    const child = spawnCli(["train", "--out", killedDir, ...RUN]);
    const exited = new Promise((resolve) => child.on("exit", resolve));
    // Wait until one epoch is complete, then a little into the next, and kill without warning.
    for (let i = 0; i < 600 && (readRunRecord(killedDir)?.epochsDone ?? 0) < 1; i++)
      await sleep(50);
    await sleep(300);
    child.kill("SIGKILL");
    await exited;
    const interrupted = readRunRecord(killedDir)!;
    expect(interrupted.status).toBe("running");
    expect(interrupted.epochsDone).toBeGreaterThanOrEqual(1);
    expect(interrupted.epochsDone).toBeLessThan(4);
    expect(interrupted.weightsSha256).toBeUndefined();

    const resumed = await runCli(["train", "--resume", killedDir]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming .* after epoch/);
    const final = readRunRecord(killedDir)!;
    expect(final.status).toBe("complete");
    expect(final.weightsSha256).toBe(expected);
  });

  it("resuming a complete run changes nothing", async () => {
    const dir = join(tempDir("resume-done"), "run");
    expect((await runCli(["train", "--out", dir, ...RUN.slice(0, 6), "--epochs", "1"])).code).toBe(
      0,
    );
    const before = readRunRecord(dir)!;
    expect((await runCli(["train", "--resume", dir])).code).toBe(0);
    expect(readRunRecord(dir)).toEqual(before);
  });
});

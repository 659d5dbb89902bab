/**
 * Crash-safe resume: a deterministic run killed with SIGKILL mid-epoch, then resumed, ends
 * bit-identical to the same run uninterrupted; the folder never claims `complete` early.
 * The kill follows an event, not a clock: the child's "epoch 1/4" line, which it prints after
 * writing epoch 1's resume checkpoint and run record and before it starts epoch 2. Three
 * epochs remain, so the kill lands before the run ends however slow or busy the machine.
 */
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readRunRecord } from "../../src/train/index.js";
import { runCli, spawnCli, tempDir } from "./helpers.js";

/** Resolves when the child's stderr has printed a line matching `pattern`; rejects on timeout. */
function stderrLine(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => {
      child.stderr!.off("data", onData);
      reject(new Error(`no stderr line matching ${pattern} in ${timeoutMs} ms; saw:\n${seen}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      seen += chunk.toString();
      const line = seen.split("\n").find((candidate) => pattern.test(candidate));
      if (line === undefined) return;
      clearTimeout(timer);
      child.stderr!.off("data", onData);
      resolve(line);
    };
    child.stderr!.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before a stderr line matching ${pattern}:\n${seen}`));
    });
  });
}

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
    // Epoch 1 is complete and epoch 2 under way: kill without warning.
    await stderrLine(child, /epoch 1\/4:/, 90_000);
    child.kill("SIGKILL");
    expect(await exited).toBe(null);
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

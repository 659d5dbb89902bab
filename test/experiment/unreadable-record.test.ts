/**
 * A finished run whose run.json is damaged (truncated): `status` says so, `run` refuses it in
 * one line instead of waiting for a runner that does not exist, `--retry-failed` trains it
 * again keeping the damaged file, and `--no-wait` leaving runs undone is not a success.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { experimentStatus } from "../../src/experiment/status.js";
import { FAKE_TRAINER, fakeSpec, startCli, tempDir, waitFor, writeSpec } from "./helpers.js";

const runArgs = (out: string, extra: string[] = []) => [
  "experiment",
  "run",
  "--out",
  out,
  "--no-analysis",
  "--trainer",
  FAKE_TRAINER,
  ...extra,
];

describe("a run whose record is unreadable", () => {
  it("is reported by status, refused in one line by run, retrained with --retry-failed", async () => {
    const root = tempDir("unreadable");
    const spec = writeSpec(root, fakeSpec(1, 2));
    const out = join(root, "exp");
    const first = startCli([...runArgs(out), "--plan", spec]);
    expect(await first.exited).toBe(0);
    const id = "smallcnn_fashion-mnist_algo_r0";
    const record = join(out, "runs", id, "run.json");
    const text = readFileSync(record, "utf8");
    writeFileSync(record, text.slice(0, 40)); // a finished run, its record cut short

    const status = startCli(["experiment", "status", out]);
    expect(await status.exited).toBe(0);
    expect(status.output()).toMatch(/done 3 · running 0 · failed 1 · pending 0/);
    expect(status.output()).not.toMatch(/interrupted/);
    expect(status.output()).toMatch(/run\.json is unreadable \(.*\); 'nnr experiment run --out /);

    // Before, this waited for ever ("waiting: 1 runs held by other runners").
    const refused = startCli([...runArgs(out), "--stale-after", "5"]);
    expect(await refused.exited).toBe(1);
    const failures = refused
      .output()
      .split("\n")
      .filter((line) => line.startsWith("failed:"));
    expect(failures).toEqual([
      expect.stringMatching(
        new RegExp(`^failed: ${id}: .*run\\.json is unreadable .*--retry-failed`),
      ),
    ]);
    expect(refused.output()).not.toMatch(/waiting/);
    const noWait = startCli([...runArgs(out), "--no-wait"]);
    expect(await noWait.exited).toBe(1);

    const retried = startCli([...runArgs(out), "--retry-failed"]);
    expect(await retried.exited).toBe(0);
    expect(experimentStatus(out).counts).toEqual({ done: 4, running: 0, failed: 0, pending: 0 });
    expect(readFileSync(`${record}.unreadable`, "utf8")).toBe(text.slice(0, 40));
  }, 60_000);

  it("--no-wait exits non-zero when other runners still hold runs", async () => {
    const root = tempDir("nowait");
    const spec = writeSpec(root, fakeSpec(1, 3));
    const out = join(root, "exp");
    const holder = startCli([...runArgs(out), "--plan", spec, "--workers", "4"], {
      NNR_FAKE_EPOCH_MS: "1500",
    });
    await waitFor(
      () => existsSync(out) && experimentStatus(out).counts.running === 4,
      30_000,
      "4 runs held",
    );
    const other = startCli([...runArgs(out), "--no-wait", "--workers", "1"]);
    expect(await other.exited).toBe(1);
    expect(other.output()).toMatch(/; 1 worker, 1 thread per run/); // not "1 workers"
    expect(other.output()).toMatch(/not all runs are complete/);
    expect(await holder.exited).toBe(0);
  }, 60_000);
});

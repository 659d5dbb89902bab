/**
 * The `--nproc` parent killed without warning (SIGKILL: it cannot stop its ranks itself): the
 * ranks notice before their next collective that the process that started them is gone and
 * exit within seconds with one line each, rank 0 first marking the run failed, so the folder
 * can continue with --resume.
 */
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readRunRecord } from "../../src/train/index.js";
import { tempDir } from "../train/helpers.js";
import { startCli, waitForLine } from "./helpers.js";

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
/** A step takes tens of milliseconds; the rest is margin for a loaded machine. */
const EXIT_WITHIN_MS = 10_000;

/** The pids of the children of `parent` that are ranks (RANK in their environment; /proc). */
function ranksOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.split(") ")[1]!.split(" ")[1]) !== parent) continue;
      const env = readFileSync(`/proc/${entry}/environ`, "utf8").split("\0");
      if (env.some((variable) => variable.startsWith("RANK="))) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

/** Running, as opposed to gone or a zombie its new parent has not reaped yet. */
const alive = (pid: number): boolean => {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[0] !== "Z";
  } catch {
    return false;
  }
};

describe("the --nproc parent killed", () => {
  it("stops its ranks within seconds with one line each, leaving the folder resumable", async () => {
    const out = `${tempDir("parent-kill")}/run`;
    const parent = startCli(["train", "--out", out, ...RUN, "--nproc", "2"]);
    await waitForLine(parent, /epoch 1\/3:/, 120_000);
    const ranks = ranksOf(parent.child.pid!);
    expect(ranks).toHaveLength(2);
    parent.child.kill("SIGKILL");
    const killedAt = Date.now();
    // The ranks write to the parent's stderr pipe: it closes once they are gone too.
    const finished = await parent.done;
    expect(Date.now() - killedAt).toBeLessThan(EXIT_WITHIN_MS);
    expect(ranks.filter(alive)).toEqual([]);
    expect(finished.signal).toBe("SIGKILL");
    const after = finished.stderr.slice(finished.stderr.indexOf("epoch 1/3:"));
    const lines = after.trim().split("\n").slice(1);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^nnr: /);
    expect(after).toMatch(/rank [01]: the process that started it \(pid \d+\) is gone/);
    expect(after).not.toMatch(/\n\s+at /); // no stack trace
    const record = readRunRecord(out)!;
    expect(record.status).toBe("failed");
    expect(record.epochsDone).toBeGreaterThanOrEqual(1);
  }, 200_000);
});

/**
 * The launcher passes a signal on to every rank and gives each torchrun's environment: first
 * with stand-in ranks that record the SIGTERM they hear, then with a real run spread over 2
 * ranks as the experiment runner's worker spreads it (train/spread-run.ts), whose ranks end by
 * the signal itself: rank 0 does not get to mark the run failed, and no rank reports a lost
 * peer, as they would if they had only noticed the other's death.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readRunRecord } from "../../src/train/index.js";
import { tempDir } from "../train/helpers.js";
import { type Started, start, waitForLine } from "./helpers.js";

const driver = fileURLToPath(new URL("./launcher-driver.ts", import.meta.url));
/** Forwarding takes milliseconds; the rest is margin for a loaded machine. */
const GONE_WITHIN_MS = 10_000;

/** The children of `parent` whose environment names a RANK (Linux's /proc), by pid. */
function ranksOf(parent: number): Map<number, Record<string, string>> {
  const ranks = new Map<number, Record<string, string>>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (Number(stat.split(") ")[1]!.split(" ")[1]) !== parent) continue;
      const pairs = readFileSync(`/proc/${entry}/environ`, "utf8").split("\0");
      const env = Object.fromEntries(pairs.map((pair) => pair.split(/=(.*)/s).slice(0, 2)));
      if (env.RANK !== undefined) ranks.set(Number(entry), env);
    } catch {
      // The process ended while we looked.
    }
  }
  return ranks;
}

const alive = (pid: number): boolean => {
  try {
    return readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ")[0] !== "Z";
  } catch {
    return false;
  }
};

/** Resolves once `started` has printed every pattern to stderr, in any order. */
async function waitForLines(started: Started, patterns: RegExp[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!patterns.every((pattern) => pattern.test(started.stderr()))) {
    if (Date.now() > deadline) throw new Error(`not all of ${patterns} in:\n${started.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function expectTorchrunEnvironment(envs: Record<string, string>[], port?: string): void {
  const places = envs.map((env) => [env.RANK, env.LOCAL_RANK]).sort();
  expect(places).toEqual([
    ["0", "0"],
    ["1", "1"],
  ]);
  for (const env of envs) {
    expect(env.WORLD_SIZE).toBe("2");
    expect(env.LOCAL_WORLD_SIZE).toBe("2");
    expect(env.MASTER_ADDR).toBe("127.0.0.1");
    expect(env.MASTER_PORT).toMatch(/^\d+$/);
    expect(env.MASTER_PORT).toBe(port ?? envs[0]!.MASTER_PORT);
  }
}

describe("the launcher and signals", () => {
  it("passes SIGTERM on to every rank, each with torchrun's environment, then ends by it", async () => {
    const dir = tempDir("launch-signal");
    const launcher = start(process.execPath, ["--import", "tsx", driver, "stub", dir]);
    await waitForLines(launcher, [/rank 0 ready/, /rank 1 ready/], 60_000);
    launcher.child.kill("SIGTERM");
    const ended = await launcher.done;
    expect(ended.signal).toBe("SIGTERM");
    for (const rank of [0, 1]) expect(existsSync(join(dir, `rank-${rank}.sigterm`))).toBe(true);
    const envs = [0, 1].map(
      (rank) =>
        JSON.parse(readFileSync(join(dir, `rank-${rank}.json`), "utf8")) as Record<string, string>,
    );
    expectTorchrunEnvironment(envs);
  }, 120_000);

  it("a SIGTERM to a spread run's launcher ends both ranks by it", async () => {
    const root = tempDir("spread-signal");
    const plan = join(root, "plan.json");
    writeFileSync(
      plan,
      JSON.stringify({
        name: "spread",
        replicates: 1,
        base: { epochs: 3, trainExamples: 1024, testExamples: 64, batchSize: 32, worldSize: 2 },
        grid: { models: ["smallcnn"], datasets: ["fashion-mnist"], settings: ["control"] },
      }),
    );
    const out = join(root, "run");
    const launcher = start(process.execPath, ["--import", "tsx", driver, "spread", plan, out]);
    await waitForLine(launcher, /epoch 1\/3:/, 180_000);
    const ranks = ranksOf(launcher.child.pid!);
    expect(ranks.size).toBe(2);
    expectTorchrunEnvironment([...ranks.values()]);
    launcher.child.kill("SIGTERM");
    const signalledAt = Date.now();
    const ended = await launcher.done;
    expect(Date.now() - signalledAt).toBeLessThan(GONE_WITHIN_MS);
    expect(ended.signal).toBe("SIGTERM");
    expect([...ranks.keys()].filter(alive)).toEqual([]);
    const after = ended.stderr.slice(ended.stderr.indexOf("epoch 1/3:"));
    expect(after).not.toMatch(/nnr: rank \d/);
    const record = readRunRecord(out)!;
    expect(record.status).toBe("running");
    expect(record.epochsDone).toBeGreaterThanOrEqual(1);
  }, 300_000);
});

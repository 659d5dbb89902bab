import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, expect, vi } from "vitest";
import { readPlan } from "../../src/experiment/plan.js";
import { experimentStatus } from "../../src/experiment/status.js";

export const FAKE_TRAINER = fileURLToPath(new URL("./fixtures/fake-trainer.ts", import.meta.url));
const CLI = fileURLToPath(new URL("./fixtures/nnr-cli.ts", import.meta.url));

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `nnr-experiment-${prefix}-`));
}

/** A small plan spec: SmallCNN on Fashion-MNIST, the four settings. */
export function writeSpec(dir: string, spec: Record<string, unknown>, name = "plan.json"): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(spec));
  return path;
}

export function fakeSpec(replicates: number, epochs: number) {
  return {
    name: "fake",
    replicates,
    base: { epochs, trainExamples: 100, saveEpochs: [epochs] },
    grid: { models: ["smallcnn"], datasets: ["fashion-mnist"] },
  };
}

export interface CliProcess {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Starts `nnr ARGS` from the sources in its own process (group), with extra environment. */
export function startCli(args: string[], env: Record<string, string> = {}): CliProcess {
  const child = spawn(process.execPath, ["--import", "tsx", CLI, ...args], {
    // Plain text to match against: picocolors colours output whenever CI is set.
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let text = "";
  child.stdout?.on("data", (chunk) => (text += chunk));
  child.stderr?.on("data", (chunk) => (text += chunk));
  const exited = new Promise<number | null>((resolve) =>
    child.on("close", (code) => resolve(code)),
  );
  return { child, output: () => text, exited };
}

export interface FakeEvent {
  kind: "start" | "complete" | "already-complete";
  id: string;
  pid: number;
  fromEpoch?: number;
  gpu?: string | null;
  device?: string;
}

export function readEvents(path: string): FakeEvent[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as FakeEvent);
}

export function countBy<T>(items: T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

export async function waitFor(condition: () => boolean, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Every planned run finished exactly once (a finish, never two). */
export function expectEachCompletedOnce(out: string, events: string) {
  const ids = readPlan(out).runs.map((run) => run.id);
  const completions = countBy(
    readEvents(events).filter((event) => event.kind === "complete"),
    (event) => event.id,
  );
  expect([...completions.keys()].sort()).toEqual([...ids].sort());
  expect([...completions.values()].every((count) => count === 1)).toBe(true);
  expect(experimentStatus(out).counts).toEqual({
    done: ids.length,
    running: 0,
    failed: 0,
    pending: 0,
  });
}

/**
 * Collects what the CLI prints in-process (console.log/warn/error) for the tests of one
 * describe block; call in its body. Restores the console and the exit code after each test.
 */
export function captureConsole(): { lines: () => string[] } {
  let output: string[] = [];
  beforeEach(() => {
    output = [];
    for (const method of ["log", "warn", "error"] as const) {
      vi.spyOn(console, method).mockImplementation((...args) => void output.push(args.join(" ")));
    }
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });
  return { lines: () => output };
}

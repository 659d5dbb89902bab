/**
 * The runner as users run it — `nnr experiment run` in its own process — with a stand-in
 * trainer (fixtures/fake-trainer.ts) that records every start and finish, so each test can
 * count how often every planned run was trained.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { latestClaim } from "../../src/experiment/claims.js";
import { readPlan } from "../../src/experiment/plan.js";
import { experimentStatus } from "../../src/experiment/status.js";
import {
  countBy,
  expectEachCompletedOnce,
  FAKE_TRAINER,
  fakeSpec,
  readEvents,
  startCli,
  tempDir,
  waitFor,
  writeSpec,
} from "./helpers.js";

function runnerArgs(out: string, extra: string[] = []): string[] {
  return ["experiment", "run", "--out", out, "--no-analysis", "--trainer", FAKE_TRAINER, ...extra];
}

function setup(name: string, replicates = 2, epochs = 3) {
  const root = tempDir(name);
  const spec = writeSpec(root, fakeSpec(replicates, epochs));
  const events = join(root, "events.log");
  return { root, spec, out: join(root, "exp"), events, env: { NNR_FAKE_EVENTS: events } };
}

function runJsonEpochs(out: string): { id: string; status: string; epochsDone: number }[] {
  const runs = join(out, "runs");
  let names: string[] = [];
  try {
    names = readdirSync(runs);
  } catch {
    return [];
  }
  return names.flatMap((id) => {
    try {
      const record = JSON.parse(readFileSync(join(runs, id, "run.json"), "utf8"));
      return [{ id, status: record.status, epochsDone: record.epochsDone }];
    } catch {
      return [];
    }
  });
}

describe("nnr experiment run (stand-in trainer)", () => {
  it("killed mid-way and restarted: every run completes once, the interrupted ones resume", async () => {
    const { spec, out, events, env } = setup("kill");
    const first = startCli([...runnerArgs(out), "--plan", spec, "--workers", "2"], {
      ...env,
      NNR_FAKE_EPOCH_MS: "400",
    });
    // Kill once some runs are complete and another is part-way (an epoch done, not finished).
    await waitFor(
      () =>
        runJsonEpochs(out).filter((run) => run.status === "complete").length >= 2 &&
        runJsonEpochs(out).some((run) => run.status === "running" && run.epochsDone >= 1),
      60_000,
      "a run part-way",
    );
    const partWay = runJsonEpochs(out).filter(
      (run) => run.status === "running" && run.epochsDone >= 1,
    );
    process.kill(-first.child.pid!, "SIGKILL"); // the runner and its workers, like a power cut
    await first.exited;

    const second = startCli(runnerArgs(out, ["--workers", "2"]), env);
    expect(await second.exited).toBe(0);
    expectEachCompletedOnce(out, events);
    for (const run of partWay) {
      const starts = readEvents(events).filter((e) => e.kind === "start" && e.id === run.id);
      expect(starts.at(-1)!.fromEpoch).toBeGreaterThanOrEqual(run.epochsDone);
    }
    expect(second.output()).toMatch(/resuming smallcnn_/);
  });

  it("two runners started on one folder at once split the work without duplicates", async () => {
    const { spec, out, events, env } = setup("two");
    const args = [...runnerArgs(out), "--plan", spec, "--workers", "2"];
    const a = startCli(args, env);
    const b = startCli(args, env);
    expect([await a.exited, await b.exited]).toEqual([0, 0]);
    expectEachCompletedOnce(out, events);
    // No run was even started twice, and both runners claimed some.
    const starts = countBy(
      readEvents(events).filter((event) => event.kind === "start"),
      (event) => event.id,
    );
    expect([...starts.values()].every((count) => count === 1)).toBe(true);
    const runners = new Set(
      readPlan(out).runs.map((run) => latestClaim(out, run.id)!.record.owner.runnerPid),
    );
    expect(runners).toEqual(new Set([a.child.pid, b.child.pid]));
  });

  it("a worker that dies is restarted on the same claim and resumes", async () => {
    const { spec, out, events, env } = setup("crash", 1);
    const run = startCli([...runnerArgs(out), "--plan", spec, "--workers", "2"], {
      ...env,
      NNR_FAKE_CRASH_ONCE: "control_r0",
    });
    expect(await run.exited).toBe(0);
    expect(run.output()).toMatch(
      /worker died smallcnn_fashion-mnist_control_r0: killed by SIGKILL; resuming it/,
    );
    expectEachCompletedOnce(out, events);
    expect(latestClaim(out, "smallcnn_fashion-mnist_control_r0")!.record.generation).toBe(1);
  });

  it("a failing run is reported in one line, left alone on rerun, retried when asked", async () => {
    const { spec, out, events, env } = setup("fail", 1);
    const failing = startCli([...runnerArgs(out), "--plan", spec, "--workers", "2"], {
      ...env,
      NNR_FAKE_FAIL: "algo_r0",
    });
    expect(await failing.exited).toBe(1);
    expect(failing.output()).toContain(
      "failed: smallcnn_fashion-mnist_algo_r0: fake failure in smallcnn_fashion-mnist_algo_r0",
    );
    expect(experimentStatus(out).counts).toEqual({ done: 3, running: 0, failed: 1, pending: 0 });
    const status = startCli(["experiment", "status", out]);
    expect(await status.exited).toBe(0);
    expect(status.output()).toMatch(/done 3 · running 0 · failed 1 · pending 0/);

    const rerun = startCli(runnerArgs(out), env);
    expect(await rerun.exited).toBe(0);
    expect(readEvents(events).filter((e) => e.kind === "start").length).toBe(4);
    const retry = startCli(runnerArgs(out, ["--retry-failed"]), env);
    expect(await retry.exited).toBe(0);
    expectEachCompletedOnce(out, events);
  });

  it("Ctrl-C stops the workers, releases their runs, and a rerun resumes them", async () => {
    const { spec, out, events, env } = setup("sigint", 1, 4);
    const run = startCli([...runnerArgs(out), "--plan", spec, "--workers", "2"], {
      ...env,
      NNR_FAKE_EPOCH_MS: "400",
    });
    await waitFor(
      () => runJsonEpochs(out).some((r) => r.status === "running" && r.epochsDone >= 1),
      60_000,
      "a run part-way",
    );
    process.kill(-run.child.pid!, "SIGINT"); // what a terminal sends to the foreground group
    expect(await run.exited).toBe(130);
    expect(run.output()).toMatch(/stopped; resume with: nnr experiment run --out /);
    const states = readPlan(out).runs.map((entry) => latestClaim(out, entry.id)?.record.state);
    expect(states).toContain("released");
    expect(states).not.toContain("running");
    const status = experimentStatus(out);
    expect(status.counts.running).toBe(0);
    expect(status.runs.some((r) => r.interrupted)).toBe(true);

    const rerun = startCli(runnerArgs(out), env);
    expect(await rerun.exited).toBe(0);
    expectEachCompletedOnce(out, events);
  });

  it("--gpus spreads the worker slots over the devices through CUDA_VISIBLE_DEVICES", async () => {
    const { spec, out, events, env } = setup("gpus", 1);
    const run = startCli([...runnerArgs(out), "--plan", spec, "--gpus", "0,1"], env);
    expect(await run.exited).toBe(0);
    expect(run.output()).toMatch(/2 workers on GPUs 0,1, 1 thread per run/);
    const starts = readEvents(events).filter((event) => event.kind === "start");
    expect(starts).toHaveLength(4);
    expect(new Set(starts.map((event) => event.gpu))).toEqual(new Set(["0", "1"]));
    expect(starts.every((event) => event.device === "cuda")).toBe(true);
  });

  it("plans with mistakes stop before anything runs, with one line naming the field", async () => {
    const root = tempDir("bad");
    const spec = writeSpec(root, { replicates: 1, grid: { models: ["foo"], datasets: ["mnist"] } });
    const bad = startCli(["experiment", "run", "--plan", spec, "--out", join(root, "exp")]);
    expect(await bad.exited).toBe(2);
    expect(bad.output().trim()).toMatch(
      /^nnr: .*plan\.json: grid\.models\[0\]: unknown model 'foo'; choose one of [^\n]*$/,
    );
  });
});

/**
 * `experiment run --executor slurm` does not return with tasks of its job still queued: when
 * every run is done, the job's pending array tasks are cancelled and the user is told; running
 * ones are said to be draining. Against the real local Slurm cluster (scripts/slurm-local.sh).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readPlan } from "../../src/experiment/plan.js";
import { readJobs } from "../../src/experiment/slurm/jobs.js";
import { surplusLines } from "../../src/experiment/slurm/surplus.js";
import {
  expectEachCompletedOnce,
  FAKE_TRAINER,
  fakeSpec,
  startCli,
  tempDir,
  waitFor,
  writeSpec,
} from "./helpers.js";
import { ensureLocalCluster } from "./slurm-cluster.js";

const cluster = ensureLocalCluster();
const submittedJobs: string[] = [];
afterAll(() => {
  if (submittedJobs.length > 0) spawnSync("scancel", submittedJobs, { timeout: 15_000 });
  cluster.release();
});

/** Runs `nnr experiment run ... --executor slurm` with the stand-in trainer to its end. */
async function slurmRun(out: string, extra: string[], env: Record<string, string>) {
  const cli = startCli(
    [
      ...["experiment", "run", "--out", out, "--executor", "slurm", "--no-analysis"],
      ...["--trainer", FAKE_TRAINER, "--poll", "0.3", ...extra],
    ],
    env,
  );
  const timer = setTimeout(() => process.kill(-cli.child.pid!, "SIGKILL"), 90_000);
  const code = await cli.exited.finally(() => clearTimeout(timer));
  const jobId = /submitted slurm job (\d+)/.exec(cli.output())?.[1];
  if (jobId !== undefined) submittedJobs.push(jobId);
  return { code, output: cli.output(), jobId };
}

function epochsDone(out: string, id: string): number {
  try {
    return JSON.parse(readFileSync(join(out, "runs", id, "run.json"), "utf8")).epochsDone;
  } catch {
    return 0;
  }
}

function squeueStates(jobId: string): string[] {
  const result = spawnSync("squeue", ["-h", "-r", "-j", jobId, "-o", "%T"], {
    encoding: "utf8",
    timeout: 15_000,
  });
  return result.stdout.split("\n").filter((line) => line.trim() !== "");
}

describe("what is said of surplus tasks", () => {
  it("names the cancelled and the draining tasks per job, and a failed scancel", () => {
    expect(
      surplusLines({ cancelled: { "12": 3 }, draining: { "12": 1 }, failures: ["job 9: no"] }),
    ).toEqual([
      "every run is done: cancelled 3 tasks of slurm job 12 still queued (scancel --state=PENDING 12)",
      "every run is done: 1 task of slurm job 12 still running, draining: they find no run left and exit",
      "could not cancel the queued tasks of job 9: no; cancel them with scancel",
    ]);
    expect(surplusLines({ cancelled: {}, draining: {}, failures: [] })).toEqual([]);
  });
});

describe.skipIf(cluster.skipReason !== null)("surplus tasks on the local Slurm cluster", () => {
  it("--wait returns only once the job's queued tasks that found no run are cancelled", async () => {
    const root = tempDir("slurm-surplus");
    const fake = fakeSpec(1, 2);
    const spec = writeSpec(root, { ...fake, grid: { ...fake.grid, settings: ["control"] } });
    const out = join(root, "exp");
    const events = join(root, "events.log");
    // One run and four tasks, one at a time: the first trains the run, three stay queued.
    const cli = startCli(
      [
        ...["experiment", "run", "--out", out, "--plan", spec, "--executor", "slurm"],
        ...["--no-analysis", "--trainer", FAKE_TRAINER, "--poll", "0.3"],
        ...["--tasks", "4", "--array-throttle", "1"],
      ],
      { NNR_FAKE_EVENTS: events },
    );
    const timer = setTimeout(() => process.kill(-cli.child.pid!, "SIGKILL"), 90_000);
    const code = await cli.exited.finally(() => clearTimeout(timer));
    const jobId = /submitted slurm job (\d+)/.exec(cli.output())?.[1];
    if (jobId !== undefined) submittedJobs.push(jobId);
    expect(code, cli.output()).toBe(0);
    expectEachCompletedOnce(out, events);
    expect(readJobs(out).map((job) => job.jobId)).toEqual([jobId]);
    expect(cli.output()).toMatch(
      new RegExp(`cancelled [1-3] tasks? of slurm job ${jobId} still queued`),
    );
    expect(squeueStates(jobId!)).not.toContain("PENDING");
  }, 120_000);

  it("after a scancel and a resubmission, the new job's surplus tasks are not left queued", async () => {
    const root = tempDir("slurm-resubmit");
    const fake = fakeSpec(2, 30);
    const spec = writeSpec(root, { ...fake, grid: { ...fake.grid, settings: ["control"] } });
    const out = join(root, "exp");
    const env = { NNR_FAKE_EVENTS: join(root, "events.log"), NNR_FAKE_EPOCH_MS: "100" };
    const first = await slurmRun(out, ["--plan", spec, "--tasks", "2", "--no-wait"], env);
    expect(first.code, first.output).toBe(0);
    const ids = readPlan(out).runs.map((run) => run.id);
    await waitFor(() => ids.every((id) => epochsDone(out, id) >= 2), 60_000, "both runs under way");
    spawnSync("scancel", [first.jobId!], { timeout: 15_000 });
    await waitFor(() => squeueStates(first.jobId!).length === 0, 30_000, "the job to leave");
    // More tasks than runs, two at a time: the first two train both runs, four stay queued.
    const second = await slurmRun(out, ["--tasks", "6", "--array-throttle", "2"], env);
    expect(second.code, second.output).toBe(0);
    expectEachCompletedOnce(out, env.NNR_FAKE_EVENTS);
    expect(second.output).toMatch(
      new RegExp(`cancelled [1-4] tasks? of slurm job ${second.jobId} still queued`),
    );
    expect(squeueStates(second.jobId!)).not.toContain("PENDING");
  }, 150_000);
});

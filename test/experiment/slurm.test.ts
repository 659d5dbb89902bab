/**
 * `nnr experiment run --executor slurm` against the real local Slurm cluster
 * (scripts/slurm-local.sh), with the stand-in trainer that records every start and finish:
 * an array job trains every run exactly once; a cancelled job and a killed one lose nothing
 * and a second submission finishes their runs from where they were; bad input is one line.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { fileSystemNow, holderAlive, latestClaim } from "../../src/experiment/claims.js";
import { readPlan } from "../../src/experiment/plan.js";
import { readJobs } from "../../src/experiment/slurm/jobs.js";
import { formatSlurmStatus, slurmJobsStatus } from "../../src/experiment/slurm/status-lines.js";
import { experimentStatus } from "../../src/experiment/status.js";
import {
  captureConsole,
  expectEachCompletedOnce,
  FAKE_TRAINER,
  fakeSpec,
  readEvents,
  startCli,
  tempDir,
  waitFor,
  writeSpec,
} from "./helpers.js";
import { CLUSTER_STATE_DIR, ensureLocalCluster } from "./slurm-cluster.js";

const cluster = ensureLocalCluster();
/** Jobs the tests submitted: cancelled at the end, so a failed test leaves none queued. */
const submittedJobs: string[] = [];
afterAll(() => {
  if (submittedJobs.length > 0) spawnSync("scancel", submittedJobs, { timeout: 15_000 });
  cluster.release();
});

function setup(name: string, replicates: number, epochs: number) {
  const root = tempDir(name);
  const fake = fakeSpec(replicates, epochs);
  const spec = writeSpec(root, { ...fake, grid: { ...fake.grid, settings: ["control"] } });
  const events = join(root, "events.log");
  return { root, spec, out: join(root, "exp"), events };
}

function slurmArgs(out: string, extra: string[]): string[] {
  return [
    "experiment",
    "run",
    "--out",
    out,
    "--executor",
    "slurm",
    "--no-analysis",
    "--trainer",
    FAKE_TRAINER,
    "--poll",
    "0.3",
    ...extra,
  ];
}

/** Runs `nnr ARGS` in its own process to its end, within a time limit. */
async function nnr(args: string[], env: Record<string, string>, timeoutMs: number) {
  const cli = startCli(args, env);
  const timer = setTimeout(() => process.kill(-cli.child.pid!, "SIGKILL"), timeoutMs);
  const code = await cli.exited.finally(() => clearTimeout(timer));
  const job = /submitted slurm job (\d+)/.exec(cli.output())?.[1];
  if (job !== undefined) submittedJobs.push(job);
  return { code, output: cli.output() };
}

function squeueHas(jobId: string): boolean {
  const result = spawnSync("squeue", ["-h", "-j", jobId, "-o", "%i"], {
    encoding: "utf8",
    timeout: 15_000,
  });
  return result.status === 0 && result.stdout.trim() !== "";
}

function squeueStates(jobId: string): string {
  return spawnSync("squeue", ["-h", "-j", jobId, "-o", "%T"], {
    encoding: "utf8",
    timeout: 15_000,
  }).stdout.trim();
}

function epochsDone(out: string, id: string): number {
  try {
    return JSON.parse(readFileSync(join(out, "runs", id, "run.json"), "utf8")).epochsDone;
  } catch {
    return 0;
  }
}

describe.skipIf(cluster.skipReason !== null)("experiments on the local Slurm cluster", () => {
  it("an array job's tasks train every run exactly once, then the job is recorded", async () => {
    const { spec, out, events } = setup("slurm-array", 4, 2);
    const run = await nnr(
      slurmArgs(out, ["--plan", spec, "--tasks", "2"]),
      { NNR_FAKE_EVENTS: events },
      90_000,
    );
    expect(run.code, run.output).toBe(0);
    expect(run.output).toMatch(/submitted slurm job \d+: 2 tasks × 1 worker, 1 CPU each/);
    expectEachCompletedOnce(out, events);
    const [job] = readJobs(out);
    expect(job).toMatchObject({ tasks: 2, partition: "local" });
    const script = readFileSync(job!.script, "utf8");
    expect(script).toContain("#SBATCH --array=0-1\n");
    expect(script).toContain("experiment slurm-task");
    expect(readdirSync(join(out, "slurm", "logs")).length).toBeGreaterThan(0);

    const status = await nnr(["experiment", "status", out], {}, 30_000);
    expect(status.code, status.output).toBe(0);
    expect(status.output).toMatch(
      new RegExp(`slurm job ${job!.jobId} \\(2 tasks, partition local`),
    );
  }, 120_000);

  it("a cancelled job releases its runs; a second submission resumes them and loses nothing", async () => {
    const { spec, out, events } = setup("slurm-cancel", 2, 40);
    const env = { NNR_FAKE_EVENTS: events, NNR_FAKE_EPOCH_MS: "150" };
    const submitted = await nnr(
      slurmArgs(out, ["--plan", spec, "--tasks", "2", "--no-wait"]),
      env,
      60_000,
    );
    expect(submitted.code, submitted.output).toBe(0);
    const jobId = /submitted slurm job (\d+)/.exec(submitted.output)![1]!;
    const ids = readPlan(out).runs.map((run) => run.id);
    await waitFor(() => ids.every((id) => epochsDone(out, id) >= 2), 60_000, "both runs under way");
    spawnSync("scancel", [jobId], { timeout: 15_000 });
    await waitFor(() => !squeueHas(jobId), 30_000, `job ${jobId} to leave the queue`);

    for (const id of ids) {
      // Released, not left to go stale: the next runner may take it at once.
      expect(latestClaim(out, id)?.record.state).toBe("released");
      expect(epochsDone(out, id)).toBeLessThan(40);
    }
    expect(formatSlurmStatus(slurmJobsStatus(out)).join("\n")).toMatch(
      new RegExp(
        `slurm job ${jobId} .*: 0 queued · 0 running · 0 completed · 0 failed · 2 cancelled`,
      ),
    );

    const resumed = await nnr(slurmArgs(out, ["--tasks", "2"]), env, 90_000);
    expect(resumed.code, resumed.output).toBe(0);
    expectEachCompletedOnce(out, events);
    // Each run started twice: from scratch, then from an epoch it had reached.
    for (const id of ids) {
      const starts = readEvents(events).filter((e) => e.kind === "start" && e.id === id);
      expect(starts.map((e) => e.fromEpoch! > 0)).toEqual([false, true]);
    }
    expect(readJobs(out)).toHaveLength(2);
  }, 180_000);

  it("runs of a task killed outright (no chance to release) are taken over by the next job", async () => {
    const { spec, out, events } = setup("slurm-kill", 1, 40);
    const env = { NNR_FAKE_EVENTS: events, NNR_FAKE_EPOCH_MS: "150" };
    const submitted = await nnr(slurmArgs(out, ["--plan", spec, "--no-wait"]), env, 60_000);
    const jobId = /submitted slurm job (\d+)/.exec(submitted.output)![1]!;
    const [id] = readPlan(out).runs.map((run) => run.id);
    await waitFor(() => epochsDone(out, id!) >= 2, 60_000, "the run under way");
    // Runner and worker die at once, as on a node that fails: nobody releases the claim.
    const { owner } = latestClaim(out, id!)!.record;
    for (const pid of [owner.runnerPid, owner.workerPid!]) process.kill(pid, "SIGKILL");
    await waitFor(() => !squeueHas(jobId), 30_000, `job ${jobId} to leave the queue`);
    expect(latestClaim(out, id!)?.record.state).toBe("running");
    // Free at once, though the worker may still be a zombie that init has yet to reap.
    expect(holderAlive(latestClaim(out, id!)!, fileSystemNow(out, "test"), 120_000)).toBe(false);

    const resumed = await nnr(slurmArgs(out, []), env, 90_000);
    expect(resumed.code, resumed.output).toBe(0);
    expectEachCompletedOnce(out, events);
    expect(latestClaim(out, id!)?.record.generation).toBe(2);
  }, 180_000);
});

describe.skipIf(cluster.skipReason !== null)("following a job", () => {
  it("Ctrl-C stops the following, not the job, and says how to cancel it", async () => {
    const { spec, out, events } = setup("slurm-detach", 1, 40);
    const cli = startCli(slurmArgs(out, ["--plan", spec]), {
      NNR_FAKE_EVENTS: events,
      NNR_FAKE_EPOCH_MS: "150",
    });
    const timer = setTimeout(() => process.kill(-cli.child.pid!, "SIGKILL"), 90_000);
    await waitFor(() => /job \d+: tasks/.test(cli.output()), 60_000, "the first progress line");
    const jobId = /submitted slurm job (\d+)/.exec(cli.output())![1]!;
    submittedJobs.push(jobId);
    cli.child.kill("SIGINT");
    const code = await cli.exited.finally(() => clearTimeout(timer));
    expect(code, cli.output()).toBe(130);
    expect(cli.output()).toContain(
      `stopped following; job ${jobId} goes on (nnr experiment status ${out}; scancel ${jobId} cancels it)`,
    );
    expect(squeueHas(jobId)).toBe(true);
    spawnSync("scancel", [jobId], { timeout: 15_000 });
    await waitFor(() => !squeueHas(jobId), 30_000, `job ${jobId} to leave the queue`);
  }, 120_000);
});

describe.skipIf(cluster.skipReason !== null)("the local cluster script", () => {
  it("start on a running cluster does nothing; status shows the node", () => {
    const script = fileURLToPath(new URL("../../scripts/slurm-local.sh", import.meta.url));
    const again = spawnSync("bash", [script, "start", CLUSTER_STATE_DIR], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toBe(`slurm-local: already running (${CLUSTER_STATE_DIR}/slurm.conf)\n`);
    const status = spawnSync("bash", [script, "status", CLUSTER_STATE_DIR], {
      encoding: "utf8",
      timeout: 30_000,
    });
    expect(status.status, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/slurmctld: running \(pid \d+\)/);
    expect(status.stdout).toMatch(
      /^local\*\s+up\s+infinite\s+1\s+(idle|mix|mixed|alloc|allocated)\b/m,
    );
  });
});

describe.skipIf(cluster.skipReason !== null)("--requeue", () => {
  it("a requeued task resumes its run from where the first attempt stopped", async () => {
    const { spec, out, events } = setup("slurm-requeue", 1, 40);
    const env = { NNR_FAKE_EVENTS: events, NNR_FAKE_EPOCH_MS: "150" };
    const submitted = await nnr(
      slurmArgs(out, ["--plan", spec, "--requeue", "--no-wait"]),
      env,
      60_000,
    );
    expect(submitted.code, submitted.output).toBe(0);
    const jobId = /submitted slurm job (\d+)/.exec(submitted.output)![1]!;
    const [id] = readPlan(out).runs.map((run) => run.id);
    await waitFor(() => epochsDone(out, id!) >= 2, 60_000, "the run under way");
    // What preemption or a node failure does with --requeue; Slurm holds a requeued job back
    // for a while (BeginTime), which the test lifts.
    spawnSync("scontrol", ["requeue", jobId], { timeout: 15_000 });
    await waitFor(() => latestClaim(out, id!)?.record.state === "released", 30_000, "the release");
    await waitFor(() => squeueStates(jobId) === "PENDING", 30_000, "the task back in the queue");
    spawnSync("scontrol", ["update", `jobid=${jobId}`, "StartTime=now"], { timeout: 15_000 });
    await waitFor(() => experimentStatus(out).counts.done === 1, 90_000, "the requeued task");
    expectEachCompletedOnce(out, events);
    const starts = readEvents(events).filter((event) => event.kind === "start");
    expect(starts.map((event) => event.fromEpoch! >= 2)).toEqual([false, true]);
    await waitFor(() => !squeueHas(jobId), 30_000, `job ${jobId} to leave the queue`);
  }, 180_000);
});

describe.skipIf(cluster.skipReason !== null)("bad input to --executor slurm", () => {
  const printed = captureConsole();

  const run = (args: string[]) => main(["node", "nnr", "experiment", "run", ...args]);

  it("names a partition that does not exist, and what sinfo lists", async () => {
    const { spec, out } = setup("slurm-partition", 1, 1);
    const code = await run([
      "--plan",
      spec,
      "--out",
      out,
      "--executor",
      "slurm",
      "--partition",
      "gpu-big",
    ]);
    expect(code).toBe(2);
    // Checked before the folder is made.
    expect(printed.lines()).toEqual([
      "nnr: --partition gpu-big: no such partition; sinfo lists: local",
    ]);
    expect(existsSync(out)).toBe(false);
    expect(readJobs(out)).toEqual([]);
  });

  it("refuses a world size the partition can never hold, before the folder is made", async () => {
    const root = tempDir("slurm-world");
    const fake = fakeSpec(1, 1);
    const spec = writeSpec(root, { ...fake, base: { ...fake.base, worldSize: 64 } });
    const out = join(root, "exp");
    const code = await run(["--plan", spec, "--out", out, "--executor", "slurm"]);
    expect(code).toBe(2);
    expect(printed.lines()).toHaveLength(1);
    expect(printed.lines()[0]).toMatch(
      /^nnr: a run with worldSize 64 needs 64 Slurm tasks × 1 CPU\(s\), and partition 'local' can give at most \d+ \(CPUs per node \S+: \d+\): lower the plan's worldSize or threads, or choose a larger partition with --partition$/,
    );
    expect(existsSync(out)).toBe(false);
  });

  it("says sbatch is missing when it is not on PATH", async () => {
    const { spec, out } = setup("slurm-path", 1, 1);
    const path = process.env.PATH;
    process.env.PATH = "/nonexistent";
    try {
      const code = await run(["--plan", spec, "--out", out, "--executor", "slurm"]);
      expect(code).toBe(2);
    } finally {
      process.env.PATH = path;
    }
    expect(printed.lines()).toEqual([
      "nnr: --executor slurm: sbatch is not on PATH; install Slurm's client commands (Debian: slurm-client) or load the cluster's slurm module",
    ]);
    expect(existsSync(out)).toBe(false);
  });

  it("refuses flags of the other executor", async () => {
    const { spec, out } = setup("slurm-flags", 1, 1);
    expect(await run(["--plan", spec, "--out", out, "--partition", "local"])).toBe(2);
    expect(await run(["--plan", spec, "--out", out, "--executor", "slurm", "--gpus", "0"])).toBe(2);
    expect(await run(["--plan", spec, "--out", out, "--executor", "slurm", "--time", "soon"])).toBe(
      2,
    );
    expect(printed.lines()).toEqual([
      "nnr: --partition needs --executor slurm",
      "nnr: --gpus: with --executor slurm ask for GPUs with --gres gpu:N; each task trains on the ones Slurm gives it",
      "nnr: --time soon: expected a Slurm time limit: minutes, HH:MM:SS or D-HH:MM:SS",
    ]);
  });

  it("--dry-run writes the batch script and says how to submit it, submitting nothing", async () => {
    const { spec, out } = setup("slurm-dry", 3, 1);
    const code = await run(["--plan", spec, "--out", out, "--executor", "slurm", "--dry-run"]);
    expect(code, printed.lines().join("\n")).toBe(0);
    const script = /^wrote (\S+\.sh) \(3 tasks\); submit it with: sbatch --parsable (\S+)$/.exec(
      printed.lines().at(-1)!,
    );
    expect(script?.[2]).toBe(script?.[1]);
    expect(readFileSync(script![1]!, "utf8")).toContain("#SBATCH --array=0-2\n");
    expect(readJobs(out)).toEqual([]);
  });

  it("passes sbatch's own complaint on as one line", async () => {
    const { spec, out } = setup("slurm-sbatch", 1, 1);
    const code = await run([
      "--plan",
      spec,
      "--out",
      out,
      "--executor",
      "slurm",
      "--sbatch-arg=--mem=999999999",
    ]);
    expect(code).toBe(2);
    expect(printed.lines().at(-1)).toMatch(/^nnr: sbatch refused the job \(.*\.sh\): .+/);
    expect(readJobs(out)).toEqual([]);
  });
});

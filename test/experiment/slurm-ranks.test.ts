/**
 * A run over two processes on the local Slurm cluster: the array task holds two Slurm tasks,
 * srun starts the run's two ranks, each reading its rank from Slurm; the job is cancelled
 * after an epoch and submitted again, and the run ends with the bits the local runner gives
 * the same plan without a stop (its worker and a second local process), trained here, now:
 * no stored hash from another machine.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { STEP_PORT_BASE, STEP_PORT_SPAN } from "../../src/distributed/slurm-steps.js";
import { latestClaim, processAlive } from "../../src/experiment/claims.js";
import { readJobs } from "../../src/experiment/slurm/jobs.js";
import { readRunRecord } from "../../src/train/index.js";
import { startCli, tempDir, waitFor, writeSpec } from "./helpers.js";
import { ensureLocalCluster } from "./slurm-cluster.js";

const cluster = ensureLocalCluster();
const submittedJobs: string[] = [];
afterAll(() => {
  if (submittedJobs.length > 0) spawnSync("scancel", submittedJobs, { timeout: 15_000 });
  cluster.release();
});

async function nnr(args: string[], timeoutMs: number) {
  const cli = startCli(args);
  const timer = setTimeout(() => process.kill(-cli.child.pid!, "SIGKILL"), timeoutMs);
  const code = await cli.exited.finally(() => clearTimeout(timer));
  const job = /submitted slurm job (\d+)/.exec(cli.output())?.[1];
  if (job !== undefined) submittedJobs.push(job);
  return { code, output: cli.output() };
}

const EPOCHS = 4;

function onlyRunDir(out: string): string {
  const [id] = readdirSync(join(out, "runs"));
  return join(out, "runs", id!);
}

function epochsDone(out: string): number {
  try {
    return readRunRecord(onlyRunDir(out))?.epochsDone ?? 0;
  } catch {
    return 0;
  }
}

function squeueHas(jobId: string): boolean {
  const result = spawnSync("squeue", ["-h", "-j", jobId, "-o", "%i"], {
    encoding: "utf8",
    timeout: 15_000,
  });
  return result.status === 0 && result.stdout.trim() !== "";
}

describe.skipIf(cluster.skipReason !== null)("runs over several Slurm tasks", () => {
  it("a worldSize 2 run gets 2 Slurm tasks and srun'd ranks; cancelled and resubmitted, it has the local runner's bits", async () => {
    const root = tempDir("slurm-ranks");
    const spec = writeSpec(root, {
      name: "dp",
      replicates: 1,
      base: {
        ...{ epochs: EPOCHS, trainExamples: 1024, testExamples: 64, batchSize: 32 },
        ...{ saveEpochs: [EPOCHS], worldSize: 2 },
      },
      grid: { models: ["smallcnn"], datasets: ["fashion-mnist"], settings: ["control"] },
    });
    const local = join(root, "local");
    const onSlurm = join(root, "slurm");
    const reference = nnr(
      ["experiment", "run", "--plan", spec, "--out", local, "--no-analysis"],
      400_000,
    );
    const submitted = await nnr(
      ["experiment", "run", "--plan", spec, "--out", onSlurm, "--executor", "slurm", "--no-wait"],
      60_000,
    );
    expect(submitted.code, submitted.output).toBe(0);
    expect(submitted.output).toMatch(
      /submitted slurm job \d+: 1 task × 1 worker, 2 Slurm tasks \(srun starts each run's ranks\) × 1 CPU each/,
    );
    const [job] = readJobs(onSlurm);
    const script = readFileSync(job!.script, "utf8");
    expect(script).toContain("\n#SBATCH --ntasks=2\n#SBATCH --cpus-per-task=1\n");

    // Cancelled with a checkpoint behind the run and epochs ahead of it: both ranks stop,
    // and the claim is released for the next submission.
    await waitFor(() => epochsDone(onSlurm) >= 1, 300_000, "an epoch done on Slurm");
    spawnSync("scancel", [job!.jobId], { timeout: 15_000 });
    await waitFor(() => !squeueHas(job!.jobId), 30_000, `job ${job!.jobId} to leave the queue`);
    expect(epochsDone(onSlurm)).toBeLessThan(EPOCHS);
    const [id] = readdirSync(join(onSlurm, "runs"));
    expect(latestClaim(onSlurm, id!)?.record.state).toBe("released");

    const resumed = await nnr(
      ["experiment", "run", "--out", onSlurm, "--executor", "slurm", "--no-analysis"],
      400_000,
    );
    expect(resumed.code, resumed.output).toBe(0);

    // The ranks took their places from Slurm, and met on the port derived from the job id.
    const logs = join(onSlurm, "slurm", "logs");
    const taskLog = readdirSync(logs)
      .map((name) => readFileSync(join(logs, name), "utf8"))
      .join("");
    expect(taskLog).toMatch(/resuming .* after epoch [1-9]/);
    const steps = [
      ...taskLog.matchAll(
        /job step in job (\d+): srun 2 rank\(s\) × 1 thread\(s\), rendezvous (\S+):(\d+)/g,
      ),
    ];
    expect(steps, taskLog).toHaveLength(2);
    for (const [, jobId, host, port] of steps) {
      expect(Number(port)).toBe(STEP_PORT_BASE + (Number(jobId) % STEP_PORT_SPAN));
      for (const rank of [0, 1]) {
        expect(taskLog).toContain(
          `rank ${rank} of 2 (SLURM_PROCID ${rank}, SLURM_LOCALID ${rank}) on ${host}, rendezvous ${host}:${port}`,
        );
      }
    }

    const ran = await reference;
    expect(ran.code, ran.output).toBe(0);
    const expected = readRunRecord(onlyRunDir(local))!;
    expect(expected.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(expected.distributed?.worldSize).toBe(2);
    expect(readRunRecord(onlyRunDir(onSlurm))).toMatchObject({
      status: "complete",
      epochsDone: EPOCHS,
      weightsSha256: expected.weightsSha256,
      distributed: { worldSize: 2 },
    });
    // Every epoch logged once: the interrupted epoch was trained again, not appended twice.
    const rows = readFileSync(join(onlyRunDir(onSlurm), "log.csv"), "utf8")
      .trim()
      .split("\n");
    expect(rows.slice(1).map((row) => row.split(",")[0])).toEqual(["1", "2", "3", "4"]);
  }, 600_000);

  it("a worker killed on its own takes its job step with it, and the runner's retry finishes the run", async () => {
    const root = tempDir("slurm-ranks-kill");
    const epochs = 6;
    const spec = writeSpec(root, {
      name: "dp",
      replicates: 1,
      base: {
        ...{ epochs, trainExamples: 1024, testExamples: 64, batchSize: 32 },
        ...{ saveEpochs: [epochs], worldSize: 2 },
      },
      grid: { models: ["smallcnn"], datasets: ["fashion-mnist"], settings: ["control"] },
    });
    const out = join(root, "slurm");
    const submitted = await nnr(
      ["experiment", "run", "--plan", spec, "--out", out, "--executor", "slurm", "--no-wait"],
      60_000,
    );
    expect(submitted.code, submitted.output).toBe(0);
    const [job] = readJobs(out);
    await waitFor(() => epochsDone(out) >= 1, 300_000, "an epoch done on Slurm");
    // srun and both ranks carry the run's folder in their command lines.
    const stepPids = spawnSync("pgrep", ["-f", onlyRunDir(out)], { encoding: "utf8" })
      .stdout.split("\n")
      .filter((line) => line.trim() !== "")
      .map(Number);
    expect(stepPids.length).toBeGreaterThanOrEqual(3);
    const [id] = readdirSync(join(out, "runs"));
    process.kill(latestClaim(out, id!)!.record.owner.workerPid!, "SIGKILL");
    // Gone long before the run's remaining epochs could have finished.
    await waitFor(() => stepPids.every((pid) => !processAlive(pid)), 10_000, "the old step to end");
    expect(epochsDone(out)).toBeLessThan(epochs);

    await waitFor(() => !squeueHas(job!.jobId), 300_000, `job ${job!.jobId} to end`);
    const logs = join(out, "slurm", "logs");
    const taskLog = readdirSync(logs)
      .map((name) => readFileSync(join(logs, name), "utf8"))
      .join("");
    expect(taskLog).toMatch(/killed by SIGKILL; restarting it/);
    expect(taskLog).toMatch(/resuming .* after epoch [1-9]/);
    expect(readRunRecord(onlyRunDir(out))).toMatchObject({
      status: "complete",
      epochsDone: epochs,
    });
    const rows = readFileSync(join(onlyRunDir(out), "log.csv"), "utf8")
      .trim()
      .split("\n");
    expect(rows.slice(1).map((row) => row.split(",")[0])).toEqual(["1", "2", "3", "4", "5", "6"]);
  }, 600_000);
});

/**
 * A run over two processes on the local Slurm cluster: the array task holds two Slurm tasks,
 * srun starts the run's two ranks, each reading its rank from Slurm, and the run ends with
 * the bits the local runner gives the same plan (its worker and a second local process),
 * trained here, now: no stored hash from another machine.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { STEP_PORT_BASE, STEP_PORT_SPAN } from "../../src/distributed/slurm-steps.js";
import { readJobs } from "../../src/experiment/slurm/jobs.js";
import { readRunRecord } from "../../src/train/index.js";
import { startCli, tempDir, writeSpec } from "./helpers.js";
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

function onlyRun(out: string) {
  const [id] = readdirSync(join(out, "runs"));
  return readRunRecord(join(out, "runs", id!))!;
}

describe.skipIf(cluster.skipReason !== null)("runs over several Slurm tasks", () => {
  it("a worldSize 2 run gets 2 Slurm tasks, its ranks started by srun, and the local runner's bits", async () => {
    const root = tempDir("slurm-ranks");
    const spec = writeSpec(root, {
      name: "dp",
      replicates: 1,
      base: { epochs: 2, trainExamples: 256, testExamples: 64, batchSize: 32, worldSize: 2 },
      grid: { models: ["smallcnn"], datasets: ["fashion-mnist"], settings: ["control"] },
    });
    const local = join(root, "local");
    const onSlurm = join(root, "slurm");
    const [reference, submitted] = await Promise.all([
      nnr(["experiment", "run", "--plan", spec, "--out", local, "--no-analysis"], 400_000),
      nnr(
        [
          ...["experiment", "run", "--plan", spec, "--out", onSlurm, "--executor", "slurm"],
          ...["--no-analysis", "--poll", "0.5"],
        ],
        400_000,
      ),
    ]);
    expect(reference.code, reference.output).toBe(0);
    expect(submitted.code, submitted.output).toBe(0);
    expect(submitted.output).toMatch(
      /submitted slurm job \d+: 1 task × 1 worker, 2 Slurm tasks \(srun starts each run's ranks\) × 1 CPU each/,
    );
    const [job] = readJobs(onSlurm);
    const script = readFileSync(job!.script, "utf8");
    expect(script).toContain("\n#SBATCH --ntasks=2\n#SBATCH --cpus-per-task=1\n");

    // The ranks took their places from Slurm, and met on the port derived from the job id.
    const logs = join(onSlurm, "slurm", "logs");
    const taskLog = readdirSync(logs)
      .map((name) => readFileSync(join(logs, name), "utf8"))
      .join("");
    const step =
      /job step in job (\d+): srun 2 rank\(s\) × 1 thread\(s\), rendezvous (\S+):(\d+)/.exec(
        taskLog,
      );
    expect(step, taskLog).not.toBeNull();
    const [, jobId, host, port] = step!;
    expect(Number(port)).toBe(STEP_PORT_BASE + (Number(jobId) % STEP_PORT_SPAN));
    for (const rank of [0, 1]) {
      expect(taskLog).toContain(
        `rank ${rank} of 2 (SLURM_PROCID ${rank}, SLURM_LOCALID ${rank}) on ${host}, rendezvous ${host}:${port}`,
      );
    }

    const expected = onlyRun(local);
    expect(expected.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(expected.distributed?.worldSize).toBe(2);
    expect(onlyRun(onSlurm)).toMatchObject({
      status: "complete",
      weightsSha256: expected.weightsSha256,
      distributed: { worldSize: 2 },
    });
  }, 420_000);
});

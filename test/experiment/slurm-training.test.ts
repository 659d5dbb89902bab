/**
 * Real training on the local Slurm cluster: a tiny Control plan submitted as an array job,
 * cancelled (scancel) while its runs are under way, submitted again, ends with the weights
 * the same runs reach trained locally without a stop, bit for bit (Control fixes every source
 * of randomness and CPU kernels at a fixed thread count are deterministic). The local
 * reference is trained here, now, on this CPU: no stored hash from another machine.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { latestClaim } from "../../src/experiment/claims.js";
import { readPlan } from "../../src/experiment/plan.js";
import { experimentStatus } from "../../src/experiment/status.js";
import { startCli, tempDir, waitFor, writeSpec } from "./helpers.js";
import { ensureLocalCluster } from "./slurm-cluster.js";

const cluster = ensureLocalCluster();
/** Jobs the tests submitted: cancelled at the end, so a failed test leaves none queued. */
const submittedJobs: string[] = [];
afterAll(() => {
  if (submittedJobs.length > 0) spawnSync("scancel", submittedJobs, { timeout: 15_000 });
  cluster.release();
});

const EPOCHS = 4;

async function nnr(args: string[], timeoutMs: number) {
  const cli = startCli(args);
  const timer = setTimeout(() => process.kill(-cli.child.pid!, "SIGKILL"), timeoutMs);
  const code = await cli.exited.finally(() => clearTimeout(timer));
  const job = /submitted slurm job (\d+)/.exec(cli.output())?.[1];
  if (job !== undefined) submittedJobs.push(job);
  return { code, output: cli.output() };
}

function runRecord(
  out: string,
  id: string,
): { status?: string; epochsDone?: number; weightsSha256?: string } {
  try {
    return JSON.parse(readFileSync(join(out, "runs", id, "run.json"), "utf8"));
  } catch {
    return {};
  }
}

function squeueHas(jobId: string): boolean {
  const result = spawnSync("squeue", ["-h", "-j", jobId, "-o", "%i"], {
    encoding: "utf8",
    timeout: 15_000,
  });
  return result.status === 0 && result.stdout.trim() !== "";
}

describe.skipIf(cluster.skipReason !== null)("real training on the local Slurm cluster", () => {
  it("a cancelled and resubmitted Control plan ends bit-identical to the same runs trained locally", async () => {
    const root = tempDir("slurm-training");
    const spec = writeSpec(root, {
      name: "tiny",
      replicates: 2,
      base: { epochs: EPOCHS, trainExamples: 1000, testExamples: 200, saveEpochs: [EPOCHS] },
      grid: { models: ["smallcnn"], datasets: ["fashion-mnist"], settings: ["control"] },
    });
    const local = join(root, "local");
    const onSlurm = join(root, "slurm");
    const reference = await nnr(
      ["experiment", "run", "--plan", spec, "--out", local, "--no-analysis"],
      120_000,
    );
    expect(reference.code, reference.output).toBe(0);

    const submitted = await nnr(
      ["experiment", "run", "--plan", spec, "--out", onSlurm, "--executor", "slurm", "--no-wait"],
      60_000,
    );
    expect(submitted.code, submitted.output).toBe(0);
    const jobId = /submitted slurm job (\d+)/.exec(submitted.output)![1]!;
    const ids = readPlan(onSlurm).runs.map((run) => run.id);
    // Cancel once a run has a checkpoint behind it and epochs still ahead of it.
    await waitFor(
      () => ids.some((id) => (runRecord(onSlurm, id).epochsDone ?? 0) >= 1),
      120_000,
      "an epoch done on Slurm",
    );
    spawnSync("scancel", [jobId], { timeout: 15_000 });
    await waitFor(() => !squeueHas(jobId), 30_000, `job ${jobId} to leave the queue`);
    const interrupted = ids.filter((id) => runRecord(onSlurm, id).status !== "complete");
    expect(interrupted.length).toBeGreaterThan(0);
    for (const id of interrupted)
      expect(latestClaim(onSlurm, id)?.record.state).not.toBe("running");

    const resumed = await nnr(
      ["experiment", "run", "--out", onSlurm, "--executor", "slurm", "--poll", "0.5"],
      180_000,
    );
    expect(resumed.code, resumed.output).toBe(0);
    expect(resumed.output).toContain("report: ");
    expect(experimentStatus(onSlurm).counts.done).toBe(ids.length);
    const taskLogs = spawnSync("sh", ["-c", `cat '${join(onSlurm, "slurm", "logs")}'/*.out`], {
      encoding: "utf8",
    }).stdout;
    expect(taskLogs).toMatch(/resuming .* after epoch [1-9]/);
    for (const id of ids) {
      const expected = runRecord(local, id).weightsSha256;
      expect(expected).toMatch(/^[0-9a-f]{64}$/);
      expect(runRecord(onSlurm, id)).toMatchObject({
        status: "complete",
        epochsDone: EPOCHS,
        weightsSha256: expected,
      });
      // Every epoch logged once: the interrupted epoch was trained again, not appended twice.
      const log = readFileSync(join(onSlurm, "runs", id, "log.csv"), "utf8")
        .trim()
        .split("\n");
      expect(log.slice(1).map((row) => row.split(",")[0])).toEqual(["1", "2", "3", "4"]);
    }
  }, 300_000);
});

/**
 * A run started as a Slurm job step: `srun` starts its N ranks (rank-process.ts) on the CPUs
 * of the allocation Slurm chooses, each rank reads its place from SLURM_PROCID/SLURM_NTASKS,
 * and rank 0 writes the run folder as in any other run. This process (the runner's worker)
 * only waits: it forwards rank 0's progress, and hands a SIGTERM on to the step, so a
 * stopped runner stops the ranks too.
 */
import { spawn } from "node:child_process";
import {
  firstHost,
  masterPortForJob,
  type StepAllocation,
  srunArgs,
  srunLauncher,
} from "../distributed/slurm-steps.js";
import { UserError } from "../errors.js";
import type { EpochProgress } from "./epoch.js";
import type { TrainRunOptions, TrainRunResult } from "./run.js";
import { readRunRecord } from "./run-folder.js";
import { PROGRESS_PREFIX, rankEntry, rankJobOf } from "./spread-run.js";

/** How long the ranks have to stop after SIGTERM before this process stops waiting. */
const STOP_GRACE_MS = 4_000;

export async function trainRunAsSteps(
  options: TrainRunOptions,
  allocation: StepAllocation,
): Promise<TrainRunResult> {
  const ranks = options.config.worldSize ?? 1;
  const threads = options.config.threads;
  if (ranks > allocation.tasks || threads > allocation.cpusPerTask) {
    throw new UserError(
      `a run of ${ranks} process(es) × ${threads} thread(s) does not fit job ${allocation.jobId} (${allocation.tasks} task(s) × ${allocation.cpusPerTask} CPU(s)); submit it again so the job is sized for it`,
    );
  }
  const masterAddr = firstHost(allocation.nodeList);
  const masterPort = masterPortForJob(allocation.jobId);
  const job = rankJobOf(options, { progressOnStdout: true });
  const entry = rankEntry();
  const log = options.log ?? (() => {});
  log(
    `job step in job ${allocation.jobId}: srun ${ranks} rank(s) × ${threads} thread(s)` +
      (ranks > 1 ? `, rendezvous ${masterAddr}:${masterPort}` : ""),
  );
  const [launcher, ...launcherArgs] = srunLauncher();
  const child = spawn(
    launcher!,
    [
      ...launcherArgs,
      ...srunArgs(ranks, threads, `run-${options.replicate}`),
      process.execPath,
      ...entry.execArgv,
      entry.path,
      JSON.stringify(job),
    ],
    {
      env: { ...process.env, MASTER_ADDR: masterAddr, MASTER_PORT: String(masterPort) },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const errors: string[] = [];
  forwardLines(child.stdout!, (line) => {
    if (line.startsWith(PROGRESS_PREFIX)) {
      options.onProgress?.(JSON.parse(line.slice(PROGRESS_PREFIX.length)) as EpochProgress);
    } else log(line);
  });
  forwardLines(child.stderr!, (line) => {
    errors.push(line);
    log(line);
  });
  let stopping = false;
  const onTerm = () => {
    if (stopping) return;
    stopping = true;
    child.kill("SIGTERM");
    setTimeout(() => reraise(onTerm), STOP_GRACE_MS).unref();
    child.once("exit", () => reraise(onTerm));
  };
  // Held on to (not once) until the step has ended: a second SIGTERM must not end this process
  // before the ranks were told.
  process.on("SIGTERM", onTerm);
  const exit = await new Promise<{ code: number | null; error?: Error }>((resolve) => {
    child.once("error", (error) => resolve({ code: null, error }));
    child.once("exit", (code) => resolve({ code }));
  });
  process.off("SIGTERM", onTerm);
  if (exit.error) {
    const missing = (exit.error as NodeJS.ErrnoException).code === "ENOENT";
    throw new UserError(
      missing
        ? "srun is not on PATH inside the job; load the cluster's slurm module in the environment you submit from"
        : `srun: ${exit.error.message}`,
    );
  }
  const record = readRunRecord(options.outDir);
  if (exit.code !== 0 || record?.status !== "complete" || record.weightsSha256 === undefined) {
    const why = errors.filter((line) => line.startsWith("nnr:")).at(-1) ?? errors.at(-1);
    throw new Error(
      `the run's job step ended with exit code ${exit.code}${why ? `: ${why}` : ""} (srun ${ranks} rank(s) on ${allocation.nodeList})`,
    );
  }
  return {
    status: "complete",
    weightsSha256: record.weightsSha256,
    seconds: record.seconds,
    record,
  };
}

/** Stops waiting on the step, ending this process by the signal it was sent. */
function reraise(handler: () => void): void {
  if (!process.listeners("SIGTERM").includes(handler)) return;
  process.off("SIGTERM", handler);
  process.kill(process.pid, "SIGTERM");
}

function forwardLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let pending = "";
  stream.on("data", (chunk: Buffer) => {
    pending += chunk.toString();
    const lines = pending.split("\n");
    pending = lines.pop()!;
    for (const line of lines) if (line.trim() !== "") onLine(line);
  });
  stream.on("end", () => {
    if (pending.trim() !== "") onLine(pending);
  });
}

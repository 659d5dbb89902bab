/**
 * An experiment on this machine: as many workers as the narrowest runs fill the cores with
 * (or one per GPU, or as the user chose), the runner over them with its progress display, and
 * the lines that say how it went.
 */
import { availableParallelism } from "node:os";
import type { ExperimentEnding, ExperimentOutput, ExperimentRunOptions } from "./executor.js";
import { threadsRange } from "./executor.js";
import type { Plan } from "./plan.js";
import { createRunnerDisplay } from "./progress-display.js";
import { type RunnerSummary, runPlan } from "./runner.js";
import { experimentStatus } from "./status.js";

/** "1 worker", "4 workers". */
const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;

export interface LocalRunOptions extends ExperimentRunOptions {
  /** Runs at once; default: the cores ÷ the narrowest run's threads, or one per GPU. */
  workers?: number;
  gpus?: string[];
}

export interface WorkerSlots {
  workers: number;
  /** The cores the runs share; absent when the user chose the workers or the GPUs. */
  cores?: number;
  /** How the slots were chosen, for the header line. */
  description: string;
}

/** As many workers as the narrowest runs fill the cores with; wider runs wait for room. */
export function workerSlots(
  plan: Plan,
  chosen: { workers?: number; gpus?: string[] },
  cores = availableParallelism(),
): WorkerSlots {
  const threads = Math.min(...plan.runs.map((entry) => entry.config.threads));
  const shared = chosen.workers === undefined && !chosen.gpus;
  const workers =
    chosen.workers ?? (chosen.gpus ? chosen.gpus.length : Math.max(1, Math.floor(cores / threads)));
  const where = chosen.gpus
    ? ` on GPUs ${chosen.gpus.join(",")}`
    : shared
      ? ` sharing ${cores} cores`
      : "";
  return {
    workers,
    ...(shared ? { cores } : {}),
    description: `${plural(workers, "worker")}${where}`,
  };
}

export interface LocalRunResult {
  ending: ExperimentEnding;
  /** Seconds the runner trained; 0 for a dry run. */
  trainingSeconds: number;
  /** Runs that failed here. */
  failed: number;
}

export async function runLocally(
  options: LocalRunOptions,
  output: ExperimentOutput,
): Promise<LocalRunResult> {
  const { dir, plan } = options;
  const slots = workerSlots(plan, options);
  const before = experimentStatus(dir, options.staleAfterMs);
  output.say(
    `experiment ${dir}: plan '${plan.name}', ${plan.runs.length} runs (${before.counts.done} done); ` +
      `${slots.description}, ${threadsRange(plan)} per run`,
  );
  if (options.dryRun) return { ending: "submitted", trainingSeconds: 0, failed: 0 };
  const summary = await runWithDisplay(options, slots, output);
  tellSummary(summary, slots.workers, dir, output);
  return {
    ending: endingOf(summary),
    trainingSeconds: summary.seconds,
    failed: summary.failed.length,
  };
}

function runWithDisplay(
  options: LocalRunOptions,
  slots: WorkerSlots,
  output: ExperimentOutput,
): Promise<RunnerSummary> {
  const { dir, plan } = options;
  const interrupt = output.interrupt();
  const display = createRunnerDisplay({
    total: plan.runs.length,
    countComplete: () => experimentStatus(dir, options.staleAfterMs).counts.done,
    workers: slots.workers,
    tty: output.tty,
  });
  return runPlan({
    dir,
    plan,
    workers: slots.workers,
    ...(slots.cores === undefined ? {} : { cores: slots.cores }),
    gpus: options.gpus,
    trainer: options.trainer,
    staleAfterMs: options.staleAfterMs,
    retryFailed: options.retryFailed,
    wait: options.wait,
    signal: interrupt.signal,
    onEvent: (event) => display.onEvent(event),
  }).finally(() => {
    display.stop();
    interrupt.dispose();
  });
}

function tellSummary(
  summary: RunnerSummary,
  workers: number,
  dir: string,
  output: ExperimentOutput,
): void {
  const { completed } = summary;
  const perRun = completed.length > 0 ? summary.seconds / completed.length : 0;
  output.say(
    `trained ${completed.length} run${completed.length === 1 ? "" : "s"} here in ${summary.seconds.toFixed(1)} s` +
      (completed.length > 0
        ? ` (${perRun.toFixed(1)} s wall per run with ${plural(workers, "worker")})`
        : "") +
      (summary.resumed.length > 0 ? `; resumed ${summary.resumed.length}` : ""),
  );
  for (const failure of summary.failed) output.warn(`failed: ${failure.id}: ${failure.message}`);
  if (summary.interrupted) {
    output.say(`stopped; resume with: nnr experiment run --out ${dir}`);
  } else if (!summary.allComplete) {
    output.say(`not all runs are complete; 'nnr experiment status ${dir}' shows which`);
  }
}

function endingOf(summary: RunnerSummary): ExperimentEnding {
  if (summary.interrupted) return "interrupted";
  if (!summary.allComplete) return "incomplete";
  return summary.completed.length === 0 ? "nothing-to-do" : "complete";
}

/**
 * Running an experiment's plan on an executor: this machine (local-run.ts) or a Slurm array
 * job (slurm/run.ts). The CLI turns flags into these options and prints what it is handed.
 */
import type { Plan } from "./plan.js";
import { checkTasksFit, resolvePartition } from "./slurm/checks.js";
import { requireSlurmCommands } from "./slurm/commands.js";
import { cpusPerTaskFor, ntasksFor } from "./slurm/submit.js";
import type { TrainerRef } from "./worker-protocol.js";

export type Executor = "local" | "slurm";

/** How a run of the experiment ended, for the exit code and what follows. */
export type ExperimentEnding =
  /** Every run is complete, some of them trained now. */
  | "complete"
  /** Every run was complete before. */
  | "nothing-to-do"
  /** Handed to Slurm (or only written, for a dry run) without waiting for it. */
  | "submitted"
  /** Runs are left, failed or held elsewhere. */
  | "incomplete"
  /** Stopped by Ctrl-C or SIGTERM. */
  | "interrupted";

/** Where an experiment's messages go. */
export interface ExperimentOutput {
  say(line: string): void;
  /** A failure, one line. */
  warn(line: string): void;
  tty: boolean;
  /** Turns Ctrl-C and SIGTERM into the signal's abort while held. */
  interrupt(): { signal: AbortSignal; dispose(): void };
}

/** What a run of the experiment asks of either executor. */
export interface ExperimentRunOptions {
  dir: string;
  plan: Plan;
  staleAfterMs: number;
  retryFailed?: boolean;
  /** Wait for runs held elsewhere (local), or follow the job (Slurm); default true. */
  wait?: boolean;
  /** Say what would run (local), or write the batch script (Slurm), and stop. */
  dryRun?: boolean;
  trainer?: TrainerRef;
}

export function threadsRange(plan: Plan): string {
  const counts = plan.runs.map((entry) => entry.config.threads);
  const [low, high] = [Math.min(...counts), Math.max(...counts)];
  return low === high ? `${low} thread${low === 1 ? "" : "s"}` : `${low}–${high} threads`;
}

/**
 * What the executor needs settled before the experiment's folder is made, so a wrong
 * partition, or a world size the partition can never hold, leaves nothing behind: the
 * partition (Slurm's default when none is named), and a check of a new plan.
 */
export function prepareExecutor(
  executor: Executor,
  slurm: { partition?: string; cpusPerTask?: number },
): { partition?: string; checkPlan(plan: Plan): void } {
  if (executor === "local") return { checkPlan: () => {} };
  requireSlurmCommands();
  const partition = resolvePartition(slurm.partition);
  return {
    partition,
    checkPlan: (plan) =>
      checkTasksFit(partition, ntasksFor(plan), cpusPerTaskFor(plan, slurm.cpusPerTask)),
  };
}

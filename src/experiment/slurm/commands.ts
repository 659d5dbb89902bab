/**
 * Slurm's client commands (sbatch, sinfo, squeue, scontrol, sacct), run with a time limit each:
 * a controller that does not answer makes a one-line error, never a hang.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import { UserError } from "../../errors.js";

/** Long enough for a busy controller; Slurm's own client timeout (MessageTimeout) is 10 s. */
export const SLURM_COMMAND_TIMEOUT_MS = 60_000;

export interface SlurmResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** The first line of Slurm's complaint, without the "sbatch: error: " prefix. */
export function slurmMessage(stderr: string): string {
  const lines = stderr
    .split("\n")
    .map((line) => line.replace(/^\w+: error: /, "").trim())
    .filter((line) => line !== "");
  // sbatch says what was wrong first and "Batch job submission failed: ..." last.
  return lines[0] ?? "no message";
}

function missingMessage(command: string): string {
  return `--executor slurm: ${command} is not on PATH; install Slurm's client commands (Debian: slurm-client) or load the cluster's slurm module`;
}

function onPath(command: string): boolean {
  return (process.env.PATH ?? "").split(delimiter).some((dir) => {
    try {
      accessSync(join(dir || ".", command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** The commands submitting and following a job needs, before anything is done. */
export function requireSlurmCommands(): void {
  for (const command of ["sbatch", "sinfo", "squeue", "scontrol"]) {
    if (!onPath(command)) throw new UserError(missingMessage(command));
  }
}

/** Runs a Slurm command; a missing command or a timeout is a UserError naming it. */
export function slurm(command: string, args: readonly string[], input?: string): SlurmResult {
  const result = spawnSync(command, args, {
    encoding: "utf8",
    timeout: SLURM_COMMAND_TIMEOUT_MS,
    input,
  });
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new UserError(missingMessage(command));
    }
    if (code === "ETIMEDOUT") {
      throw new UserError(
        `${command} got no answer from the Slurm controller in ${SLURM_COMMAND_TIMEOUT_MS / 1000} s; check 'scontrol ping'`,
      );
    }
    throw new UserError(`${command}: ${result.error.message}`);
  }
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

/** Runs a Slurm command that must succeed; its failure is a UserError with Slurm's message. */
export function slurmChecked(command: string, args: readonly string[]): string {
  const result = slurm(command, args);
  if (result.status !== 0) throw new UserError(`${command}: ${slurmMessage(result.stderr)}`);
  return result.stdout;
}

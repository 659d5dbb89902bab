/**
 * A rank started by `nnr train --nproc` (or by a run's rank 0) stops when the process that
 * started it is gone: a parent killed with SIGKILL cannot stop its ranks itself, and they
 * would otherwise train on without anyone to report to. The launcher names itself in
 * NNR_PARENT_PID; the rank compares its parent pid with it before every collective (a
 * getppid() call, nothing beside a step's work), so the check runs wherever training runs,
 * without depending on the event loop, which a training epoch seldom yields to.
 */
import { UserError } from "../errors.js";

/** The environment variable a launcher sets to its own pid in the ranks it starts. */
export const PARENT_PID_VARIABLE = "NNR_PARENT_PID";

export function parentEnvironment(): Record<string, string> {
  return { [PARENT_PID_VARIABLE]: String(process.pid) };
}

/**
 * A check that throws once this process's parent is no longer the launcher that started it
 * (orphans are re-parented to init or a subreaper). Without NNR_PARENT_PID (torchrun, srun,
 * by hand) or when the parent already differs at start, it checks nothing.
 */
export function parentWatch(rank: number, env = process.env): () => void {
  const expected = Number(env[PARENT_PID_VARIABLE]);
  if (!Number.isInteger(expected) || expected <= 0 || process.ppid !== expected) return () => {};
  return () => {
    if (process.ppid === expected) return;
    throw new UserError(
      `rank ${rank}: the process that started it (pid ${expected}) is gone; stopping (the run folder can continue with --resume)`,
      { exitCode: 1 },
    );
  };
}

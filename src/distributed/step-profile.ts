/**
 * Where a rank's time goes, for finding the data-parallel path's overhead: with NNR_DP_PROFILE=1
 * each rank sums the wall time of its phases (the collectives by kind, the compute between
 * them) and prints one line to stderr when it leaves its group. Off (the default), every call
 * here is a test of one boolean and nothing is printed.
 */

const enabled = process.env.NNR_DP_PROFILE === "1";

const totals = new Map<string, { ms: number; count: number }>();

/** Runs fn, adding its wall time to the phase's total when profiling is on. */
export function timed<T>(phase: string, fn: () => T): T {
  if (!enabled) return fn();
  const begin = performance.now();
  try {
    return fn();
  } finally {
    add(phase, performance.now() - begin);
  }
}

let lastMark: number | null = null;

/** Adds the time since the previous mark (if any) to `phase`: the compute between collectives. */
export function mark(phase: string | null): void {
  if (!enabled) return;
  const now = performance.now();
  if (phase !== null && lastMark !== null) add(phase, now - lastMark);
  lastMark = now;
}

function add(phase: string, ms: number): void {
  const total = totals.get(phase) ?? { ms: 0, count: 0 };
  total.ms += ms;
  total.count += 1;
  totals.set(phase, total);
}

/** One stderr line of the phases' totals (ms, and calls), and the process's age. */
export function reportProfile(rank: number): void {
  if (!enabled) return;
  const phases = [...totals]
    .sort((a, b) => b[1].ms - a[1].ms)
    .map(([name, t]) => `${name} ${t.ms.toFixed(0)} ms/${t.count}`)
    .join(", ");
  process.stderr.write(
    `[profile] rank ${rank}: ${phases}; process age ${(process.uptime() * 1000).toFixed(0)} ms\n`,
  );
}

/**
 * The audit's comparison, for any computation that yields float32 arrays: it runs `repeats`
 * times at each thread count; each run's arrays are compared bit by bit against the first
 * run's at that thread count (the worst repeat kept), and the first run against the baseline
 * thread count's (the first listed). The op list adds its arrays into one row per op; a
 * model's audit gives each node's output and each gradient a row of its own.
 */
import { configureDeterminism, determinismState } from "../../engine/index.js";
import { type BitComparison, compareFloat32, IDENTICAL } from "./ulp.js";

/** One run's results: the same arrays, in the same order, every run. */
export type Results = readonly Float32Array[];

export interface RepeatSettings {
  threads: readonly number[];
  /** Runs per thread count (≥ 2 to compare anything). */
  repeats: number;
  deterministic: boolean;
}

export interface ThreadComparison {
  threads: number;
  /** Per row: the worst of the later repeats against the first, at this thread count. */
  repeat: BitComparison[];
  /** Per row: this thread count's first run against the baseline's; null on the baseline. */
  vsBaseline: BitComparison[] | null;
}

export function compareResults(a: Results, b: Results): BitComparison[] {
  if (a.length !== b.length) {
    throw new Error(`audit: a run gave ${b.length} results, the first ${a.length}`);
  }
  return a.map((array, i) => compareFloat32(array, b[i]!));
}

/** Worst of several comparisons of the same tensors: the most elements that differed once. */
export function worstOf(comparisons: readonly BitComparison[]): BitComparison {
  return comparisons.reduce(
    (worst, c) => ({
      identical: worst.identical && c.identical,
      differing: Math.max(worst.differing, c.differing),
      maxAbsDiff: Math.max(worst.maxAbsDiff, c.maxAbsDiff),
      maxUlpDiff: Math.max(worst.maxUlpDiff, c.maxUlpDiff),
    }),
    IDENTICAL,
  );
}

/** Per row, the worst over the repeats' comparisons. */
function worstPerRow(perRepeat: readonly BitComparison[][], count: number): BitComparison[] {
  return Array.from({ length: count }, (_, i) => worstOf(perRepeat.map((c) => c[i]!)));
}

/**
 * Runs `run` at each thread count, `repeats` times; only the first run of each thread count
 * and of the baseline are held, so a model's activations are held at most twice.
 */
export function compareRepeats(
  settings: RepeatSettings,
  run: () => Results,
  /** How one run's comparisons become rows (the op list adds its arrays into one). */
  group: (perArray: BitComparison[]) => BitComparison[] = (perArray) => perArray,
): ThreadComparison[] {
  if (settings.threads.length === 0) throw new Error("audit: no thread counts given");
  const rows: ThreadComparison[] = [];
  let baseline: Results | null = null;
  for (const threads of settings.threads) {
    configureDeterminism({ deterministic: settings.deterministic, threads });
    const first = run();
    const perRepeat: BitComparison[][] = [];
    for (let k = 1; k < settings.repeats; k++) perRepeat.push(group(compareResults(first, run())));
    rows.push({
      threads,
      repeat: worstPerRow(perRepeat, group(first.map(() => IDENTICAL)).length),
      vsBaseline: baseline === null ? null : group(compareResults(baseline, first)),
    });
    baseline ??= first;
  }
  return rows;
}

/** Runs `f`, then restores the determinism settings (kernels, threads) in force before. */
export function restoringDeterminism<T>(f: () => T): T {
  const before = determinismState();
  try {
    return f();
  } finally {
    configureDeterminism({
      deterministic: before.deterministicAlgorithms,
      threads: before.threads,
      cudnnBenchmark: before.cudnnBenchmark,
    });
  }
}

/**
 * The kernel audit: each op's forward and backward run `repeats` times on identical inputs
 * (a fresh graph each time) at each thread count; the bits of the output and of every
 * gradient are compared across the repeats, and the first repeat at each thread count against
 * the first thread count's.
 */
import {
  configureDeterminism,
  determinismState,
  Generator,
  keep,
  randn,
  type Tensor,
  tidy,
} from "../../engine/index.js";
import { AUDIT_OPS, type AuditOp, type AuditScale } from "./ops.js";
import { type BitComparison, combine, compareFloat32, IDENTICAL } from "./ulp.js";

export interface AuditSettings {
  device: string;
  /** Thread counts, each audited in turn; the first is the baseline of the cross-thread column. */
  threads: number[];
  /** Runs per op and thread count (≥ 2 to compare anything). */
  repeats: number;
  scale: AuditScale;
  /** Deterministic kernels on (the audit of the default kernels leaves them off). */
  deterministic: boolean;
  seed: number;
}

export const DEFAULT_AUDIT: AuditSettings = {
  device: "cpu",
  threads: [1, 2],
  repeats: 3,
  scale: { batch: 32, channels: 64, size: 32 },
  deterministic: false,
  seed: 0,
};

export interface AuditRow {
  op: string;
  shapes: string;
  threads: number;
  repeats: number;
  /** Repeats against the first repeat, at this thread count. */
  repeat: BitComparison;
  /** The first repeat here against the baseline thread count's; null on the baseline itself. */
  vsBaseline: BitComparison | null;
  baselineThreads: number;
}

/** The output then each input's gradient, as float32 arrays on the CPU. */
type Results = Float32Array[];

const toHost = (t: Tensor): Float32Array =>
  t.to({ device: "cpu", dtype: "float32" }).dataSync() as Float32Array;

class OpRunner {
  readonly #grad: Tensor[];
  readonly #fixed: Tensor[];
  readonly #generator: Generator;
  readonly #device: string;
  #upstream: Tensor | null = null;

  constructor(
    readonly op: AuditOp,
    settings: AuditSettings,
  ) {
    this.#generator = new Generator(settings.seed, `audit ${op.name}`);
    this.#device = settings.device;
    const inputs = tidy(() => op.setup(this.#generator, settings.scale));
    const move = (t: Tensor) => keep(tidy(() => t.to({ device: this.#device })));
    this.#grad = inputs.grad.map((t) => move(t).requiresGrad_(true));
    this.#fixed = inputs.fixed.map(move);
    for (const t of [...inputs.grad, ...inputs.fixed]) t.dispose();
  }

  /** One forward and backward through a fresh graph. */
  run(): Results {
    for (const t of this.#grad) t.grad = null;
    const results: Results = [];
    tidy(() => {
      const out = this.op.forward(this.#grad, this.#fixed);
      if (out.ndim === 0) {
        out.backward();
      } else {
        // One upstream gradient for every run, drawn the first time the output shape is known.
        this.#upstream ??= keep(
          tidy(() => randn(out.shape, this.#generator).to({ device: this.#device })),
        );
        out.backward(this.#upstream);
      }
      results.push(toHost(out));
      for (const t of this.#grad) results.push(toHost(t.grad!));
    });
    return results;
  }

  dispose(): void {
    for (const t of [...this.#grad, ...this.#fixed]) t.dispose();
    this.#upstream?.dispose();
  }
}

function compareResults(a: Results, b: Results): BitComparison {
  return a.reduce((worst, array, i) => combine(worst, compareFloat32(array, b[i]!)), IDENTICAL);
}

/** Worst of several comparisons of the same tensors: the most elements that differed once. */
function worstOf(comparisons: BitComparison[]): BitComparison {
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

export function auditOp(op: AuditOp, settings: AuditSettings): AuditRow[] {
  if (settings.threads.length === 0) throw new Error("audit: no thread counts given");
  const runner = new OpRunner(op, settings);
  const rows: AuditRow[] = [];
  const baselineThreads = settings.threads[0]!;
  let baseline: Results | null = null;
  try {
    for (const threads of settings.threads) {
      configureDeterminism({ deterministic: settings.deterministic, threads });
      const first = runner.run();
      const comparisons: BitComparison[] = [];
      for (let k = 1; k < settings.repeats; k++)
        comparisons.push(compareResults(first, runner.run()));
      baseline ??= first;
      rows.push({
        op: op.name,
        shapes: op.shapes(settings.scale),
        threads,
        repeats: settings.repeats,
        repeat: worstOf(comparisons),
        vsBaseline: baseline === first ? null : compareResults(baseline, first),
        baselineThreads,
      });
    }
  } finally {
    runner.dispose();
  }
  return rows;
}

/** Audits every op (or the given ones); the determinism settings are restored after. */
export function runAudit(
  settings: AuditSettings,
  options: { ops?: readonly AuditOp[]; onRows?: (rows: AuditRow[]) => void } = {},
): AuditRow[] {
  const before = determinismState();
  const rows: AuditRow[] = [];
  try {
    for (const op of options.ops ?? AUDIT_OPS) {
      const opRows = auditOp(op, settings);
      rows.push(...opRows);
      options.onRows?.(opRows);
    }
  } finally {
    configureDeterminism({
      deterministic: before.deterministicAlgorithms,
      threads: before.threads,
      cudnnBenchmark: before.cudnnBenchmark,
    });
  }
  return rows;
}

/**
 * The kernel audit: each op's forward and backward run `repeats` times on identical inputs
 * (a fresh graph each time) at each thread count; the bits of the output and of every
 * gradient are compared across the repeats, and the first repeat at each thread count against
 * the first thread count's.
 */
import { Generator, keep, randn, type Tensor, tidy } from "../../engine/index.js";
import { AUDIT_OPS, type AuditOp, type AuditScale } from "./ops.js";
import { compareRepeats, type Results, restoringDeterminism } from "./repeats.js";
import { type BitComparison, combine, IDENTICAL } from "./ulp.js";

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
    const results: Float32Array[] = [];
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

export function auditOp(op: AuditOp, settings: AuditSettings): AuditRow[] {
  const runner = new OpRunner(op, settings);
  try {
    // One row per op: the output's and every gradient's comparisons added together.
    const rows = compareRepeats(
      settings,
      () => runner.run(),
      (perArray) => [perArray.reduce(combine, IDENTICAL)],
    );
    return rows.map((row) => ({
      op: op.name,
      shapes: op.shapes(settings.scale),
      threads: row.threads,
      repeats: settings.repeats,
      repeat: row.repeat[0]!,
      vsBaseline: row.vsBaseline?.[0] ?? null,
      baselineThreads: settings.threads[0]!,
    }));
  } finally {
    runner.dispose();
  }
}

/** Audits every op (or the given ones); the determinism settings are restored after. */
export function runAudit(
  settings: AuditSettings,
  options: { ops?: readonly AuditOp[]; onRows?: (rows: AuditRow[]) => void } = {},
): AuditRow[] {
  return restoringDeterminism(() => {
    const rows: AuditRow[] = [];
    for (const op of options.ops ?? AUDIT_OPS) {
      const opRows = auditOp(op, settings);
      rows.push(...opRows);
      options.onRows?.(opRows);
    }
    return rows;
  });
}

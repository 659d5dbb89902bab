/**
 * `nnr audit --model FILE.onnx`: every node of the user's graph run alone with its real inputs
 * (model.ts), repeatedly and across thread counts (repeats.ts); two rows per node, its forward
 * (its outputs) and its backward (the gradients of its float inputs and parameters), and a
 * summary naming the nodes whose bits changed.
 */
import { Generator, randn, type Tensor, tidy } from "../../engine/index.js";
import type { OnnxModel } from "../../onnx/index.js";
import { graphInputShape } from "../onnx-input.js";
import { NodeRunner, referenceValues } from "./model.js";
import { compareRepeats, restoringDeterminism, type ThreadComparison } from "./repeats.js";
import type { AuditRow } from "./run.js";
import { type BitComparison, combine, IDENTICAL } from "./ulp.js";

export interface ModelAuditSettings {
  device: string;
  threads: number[];
  repeats: number;
  deterministic: boolean;
  seed: number;
  /** Batch size where the graph's input leaves its first dim free. */
  batch: number;
}

/** One row of the audit: a node's forward or its backward. */
export interface ModelAuditEntry {
  /** The node's name and op type, `/conv1/Conv (Conv)`. */
  node: string;
  pass: "forward" | "backward";
  shapes: string;
}

export interface ModelAudit {
  entries: ModelAuditEntry[];
  /** Per thread count, one comparison per entry. */
  comparisons: ThreadComparison[];
  rows: AuditRow[];
}

const dims = (shapes: readonly number[][]) => shapes.map((s) => `[${s.join(", ")}]`).join(" ");
const added = (cs: readonly BitComparison[]) => cs.reduce(combine, IDENTICAL);

function nodeEntries(runner: NodeRunner): ModelAuditEntry[] {
  const forward = {
    node: runner.label,
    pass: "forward" as const,
    shapes: dims(runner.outputShapes),
  };
  if (runner.gradientShapes.length === 0) return [forward];
  return [forward, { node: runner.label, pass: "backward", shapes: dims(runner.gradientShapes) }];
}

/** One node's comparisons: its outputs added into one, its gradients into another. */
function auditNode(runner: NodeRunner, settings: ModelAuditSettings): ThreadComparison[] {
  const n = runner.outputCount;
  const backward = runner.gradientShapes.length > 0;
  return compareRepeats(
    settings,
    () => runner.run(),
    (perArray) =>
      backward ? [added(perArray.slice(0, n)), added(perArray.slice(n))] : [added(perArray)],
  );
}

/** Each thread count's comparisons of every node, in graph order. */
function joined(perNode: readonly ThreadComparison[][]): ThreadComparison[] {
  return perNode[0]!.map((first, t) => ({
    threads: first.threads,
    repeat: perNode.flatMap((rows) => rows[t]!.repeat),
    vsBaseline: t === 0 ? null : perNode.flatMap((rows) => rows[t]!.vsBaseline ?? []),
  }));
}

export function auditModel(model: OnnxModel, settings: ModelAuditSettings): ModelAudit {
  return restoringDeterminism(() => {
    const shape = graphInputShape(model, settings.batch);
    const input = tidy(() =>
      randn(shape, new Generator(settings.seed, "audit input")).to({ device: settings.device }),
    );
    const values = referenceValues(model, input, settings.device);
    const entries: ModelAuditEntry[] = [];
    const perNode: ThreadComparison[][] = [];
    try {
      for (const node of model.graph.nodes) {
        if (node.opType === "Constant") continue;
        const runner = new NodeRunner(model, node, values, settings);
        try {
          entries.push(...nodeEntries(runner));
          perNode.push(auditNode(runner, settings));
        } finally {
          runner.dispose();
        }
      }
    } finally {
      for (const t of new Set<Tensor>(values.values())) t.dispose();
    }
    const comparisons = joined(perNode);
    return { entries, comparisons, rows: modelAuditRows(entries, comparisons, settings) };
  });
}

/** The comparisons as the audit's rows (table.ts): one per entry and thread count. */
export function modelAuditRows(
  entries: readonly ModelAuditEntry[],
  comparisons: readonly ThreadComparison[],
  settings: { repeats: number; threads: readonly number[] },
): AuditRow[] {
  return comparisons.flatMap((row) =>
    entries.map((entry, i) => ({
      op: `${entry.node} ${entry.pass}`,
      shapes: entry.shapes,
      threads: row.threads,
      repeats: settings.repeats,
      repeat: row.repeat[i]!,
      vsBaseline: row.vsBaseline?.[i] ?? null,
      baselineThreads: settings.threads[0]!,
    })),
  );
}

/** Which entries changed bits, in graph order: run to run (any thread count) or across threads. */
export function changedEntries(
  entries: readonly ModelAuditEntry[],
  comparisons: readonly ThreadComparison[],
  against: "repeat" | "threads",
): ModelAuditEntry[] {
  return entries.filter((_, i) =>
    comparisons.some((row) =>
      against === "repeat" ? !row.repeat[i]!.identical : row.vsBaseline?.[i]?.identical === false,
    ),
  );
}

function describeChanges(
  entries: readonly ModelAuditEntry[],
  changed: readonly ModelAuditEntry[],
  what: string,
): string {
  const nodes = new Set(entries.map((e) => e.node)).size;
  if (changed.length === 0) {
    return `${what}: no node changed its bits (${nodes} nodes, forward and backward)`;
  }
  const changedNodes = new Set(changed.map((e) => e.node)).size;
  const list = changed.map((e) => `${e.node} ${e.pass}`).join(", ");
  return `${what}: ${changedNodes} of ${nodes} nodes changed bits: ${list}`;
}

/** One line run to run, and one across threads where more than one count was audited. */
export function modelAuditSummary(
  entries: readonly ModelAuditEntry[],
  comparisons: readonly ThreadComparison[],
): string[] {
  const lines = [
    describeChanges(entries, changedEntries(entries, comparisons, "repeat"), "run to run"),
  ];
  if (comparisons.length > 1) {
    const others = comparisons
      .slice(1)
      .map((row) => row.threads)
      .join(", ");
    lines.push(
      describeChanges(
        entries,
        changedEntries(entries, comparisons, "threads"),
        `${comparisons[0]!.threads} thread(s) against ${others}`,
      ),
    );
  }
  return lines;
}

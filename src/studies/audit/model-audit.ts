/**
 * `nnr audit --model FILE.onnx`: the user's graph run whole (model.ts), repeatedly and across
 * thread counts (repeats.ts); one row per node output and per parameter gradient, and a
 * summary naming the nodes whose bits changed, the first in graph order first: a node's change
 * flows into every node after it, so the first is where it starts.
 */
import type { OnnxModel } from "../../onnx/index.js";
import { type ModelAuditEntry, ModelAuditRunner } from "./model.js";
import { compareRepeats, restoringDeterminism, type ThreadComparison } from "./repeats.js";
import type { AuditRow } from "./run.js";

export interface ModelAuditSettings {
  device: string;
  threads: number[];
  repeats: number;
  deterministic: boolean;
  seed: number;
  /** Batch size where the graph's input leaves its first dim free. */
  batch: number;
}

export interface ModelAudit {
  entries: ModelAuditEntry[];
  comparisons: ThreadComparison[];
  rows: AuditRow[];
}

const entryName = (entry: ModelAuditEntry) =>
  entry.kind === "output" ? entry.label : `gradient of ${entry.label}`;

/** The comparisons as the audit's rows (table.ts): one per entry and thread count. */
export function modelAuditRows(
  entries: readonly ModelAuditEntry[],
  comparisons: readonly ThreadComparison[],
  settings: { repeats: number; threads: readonly number[] },
): AuditRow[] {
  return comparisons.flatMap((row) =>
    entries.map((entry, i) => ({
      op: entryName(entry),
      shapes: `[${entry.shape.join(", ")}]`,
      threads: row.threads,
      repeats: settings.repeats,
      repeat: row.repeat[i]!,
      vsBaseline: row.vsBaseline?.[i] ?? null,
      baselineThreads: settings.threads[0]!,
    })),
  );
}

export function auditModel(model: OnnxModel, settings: ModelAuditSettings): ModelAudit {
  return restoringDeterminism(() => {
    const runner = new ModelAuditRunner(model, settings);
    try {
      const comparisons = compareRepeats(settings, () => runner.run());
      const entries = runner.entries;
      return { entries, comparisons, rows: modelAuditRows(entries, comparisons, settings) };
    } finally {
      runner.dispose();
    }
  });
}

/** Which entries changed bits, in order: run to run (any thread count) or against the baseline. */
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
  const nodes = entries.filter((e) => e.kind === "output").length;
  const outputs = changed.filter((e) => e.kind === "output");
  const gradients = changed.filter((e) => e.kind === "gradient");
  if (changed.length === 0)
    return `${what}: no node changed its bits (${nodes} node outputs and ${entries.length - nodes} gradients compared)`;
  const first = outputs[0] ?? gradients[0]!;
  const names = (list: readonly ModelAuditEntry[]) => list.map((e) => e.label).join(", ");
  return (
    `${what}: ${outputs.length} of ${nodes} node outputs and ${gradients.length} gradients changed bits; ` +
    `first ${first.kind === "output" ? "node" : "gradient"}: ${first.label}` +
    (outputs.length > 0 ? `; nodes: ${names(outputs)}` : "") +
    (gradients.length > 0 ? `; gradients: ${names(gradients)}` : "")
  );
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

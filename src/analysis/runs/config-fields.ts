/**
 * The fields by which groups' configs differ: for labels that tell groups apart (no two rows
 * called `smallcnn_fashion-mnist_control`) and for the pairs of groups that differ in one field.
 */
import type { RunFolder } from "./types.js";

/** Every leaf of a config as "dotted.path" → its JSON text (`optimizer.lr` → "0.01"). */
export function configLeaves(config: Record<string, unknown>, prefix = ""): Map<string, string> {
  const leaves = new Map<string, string>();
  for (const [key, value] of Object.entries(config)) {
    const path = prefix === "" ? key : `${prefix}.${key}`;
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [leaf, text] of configLeaves(value as Record<string, unknown>, path))
        leaves.set(leaf, text);
    } else {
      leaves.set(path, JSON.stringify(value ?? null));
    }
  }
  return leaves;
}

/** The paths whose values differ among the configs (absent on one side counts), sorted. */
export function differingFields(configs: readonly Map<string, string>[]): string[] {
  const paths = new Set(configs.flatMap((leaves) => [...leaves.keys()]));
  return [...paths]
    .filter((path) => new Set(configs.map((leaves) => leaves.get(path) ?? "absent")).size > 1)
    .sort();
}

/** "lr=0.01": a field and its value as a label shows it (strings unquoted). */
function fieldText(path: string, json: string | undefined): string {
  if (json === undefined) return `${path}=absent`;
  const value = JSON.parse(json) as unknown;
  return `${path}=${typeof value === "string" ? value : json}`;
}

/**
 * Groups that would share a label are told apart by every config field in which they differ,
 * e.g. `smallcnn_fashion-mnist_control batchNorm=true optimizer.lr=0.01`. Rewrites the
 * descriptors' labels in place; labels that are already unique are left as they are.
 */
export function distinguishLabels(runs: readonly RunFolder[]): void {
  const byLabel = new Map<string, Map<string, RunFolder[]>>();
  for (const run of runs) {
    const { label, groupKey } = run.descriptor;
    const groups = byLabel.get(label) ?? new Map<string, RunFolder[]>();
    groups.set(groupKey, [...(groups.get(groupKey) ?? []), run]);
    byLabel.set(label, groups);
  }
  for (const [label, groups] of byLabel) {
    if (groups.size < 2) continue;
    const members = [...groups.values()];
    const leaves = members.map((folders) => configLeaves(folders[0]!.descriptor.config ?? {}));
    const fields = differingFields(leaves);
    if (fields.length === 0) continue;
    for (const [i, folders] of members.entries()) {
      const suffix = fields.map((path) => fieldText(path, leaves[i]!.get(path))).join(" ");
      for (const folder of folders) folder.descriptor.label = `${label} ${suffix}`;
    }
  }
}

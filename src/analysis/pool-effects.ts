/**
 * For a pool (the tooling study): which of the varied fields, changed alone, changes the
 * result. Every pair of members whose variants differ in exactly one field is a controlled
 * comparison of that field: are their final weights bit-identical, and on how many test
 * examples do their predictions disagree?
 */
import type { PairMatrix } from "./metrics/pairwise.js";
import type { PoolEffect } from "./result-types.js";

/** "impl threads=2 memoryFormat=channels_last" → { setting: "impl", threads: "2", … }. */
export function parseVariant(variant: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const token of variant.split(" ").filter(Boolean)) {
    const equals = token.indexOf("=");
    if (equals === -1) fields.set("setting", token);
    else fields.set(token.slice(0, equals), token.slice(equals + 1));
  }
  return fields;
}

/** The one field in which two variants differ, or null when they differ in none or several. */
function soleDifference(a: Map<string, string>, b: Map<string, string>): string | null {
  const keys = new Set([...a.keys(), ...b.keys()]);
  const differing = [...keys].filter((key) => a.get(key) !== b.get(key));
  return differing.length === 1 ? differing[0]! : null;
}

/**
 * One entry per varied field, in the order the variants name them. `hashes[i]` is run i's
 * weights hash (undefined when unknown); `churn` the runs' pairwise disagreement.
 */
export function poolEffects(
  variants: readonly string[],
  hashes: readonly (string | undefined)[],
  churn: PairMatrix,
): PoolEffect[] {
  const parsed = variants.map(parseVariant);
  const effects = new Map<string, { pairs: number; differing: number; churn: number }>();
  for (const fields of parsed) {
    for (const key of fields.keys()) {
      if (!effects.has(key)) effects.set(key, { pairs: 0, differing: 0, churn: 0 });
    }
  }
  const knownHashes = hashes.every((hash) => hash !== undefined);
  for (let i = 0; i < parsed.length; i++) {
    for (let j = i + 1; j < parsed.length; j++) {
      const field = soleDifference(parsed[i]!, parsed[j]!);
      if (field === null) continue;
      const effect = effects.get(field)!;
      effect.pairs++;
      if (knownHashes && hashes[i] !== hashes[j]) effect.differing++;
      effect.churn += churn.values[i * churn.runs + j]!;
    }
  }
  return [...effects].map(([field, { pairs, differing, churn: total }]) => ({
    field,
    pairs,
    pairsWithDifferentWeights: knownHashes ? differing : null,
    meanChurn: pairs > 0 ? total / pairs : null,
  }));
}

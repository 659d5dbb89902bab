/**
 * For a pool (the tooling study): which of the varied fields, changed alone, changes the
 * result. Every pair of members that differ in exactly one field is a controlled comparison
 * of that field: are their final weights bit-identical, and on how many test examples do
 * their predictions disagree?
 */
import type { PairMatrix } from "./metrics/pairwise.js";
import type { PoolEffect } from "./result-types.js";

type Fields = Readonly<Record<string, string>>;

/** The one field in which two members differ, or null when they differ in none or several. */
function soleDifference(a: Fields, b: Fields): string | null {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const differing = [...keys].filter((key) => a[key] !== b[key]);
  return differing.length === 1 ? differing[0]! : null;
}

/**
 * One entry per varied field, in the order the members name them. `fields[i]` is run i's
 * value of each varied field, `hashes[i]` its weights hash (undefined when unknown), `churn`
 * the runs' pairwise disagreement.
 */
export function poolEffects(
  fields: readonly Fields[],
  hashes: readonly (string | undefined)[],
  churn: PairMatrix,
): PoolEffect[] {
  const effects = new Map<string, { pairs: number; differing: number; churn: number }>();
  for (const member of fields) {
    for (const key of Object.keys(member)) {
      if (!effects.has(key)) effects.set(key, { pairs: 0, differing: 0, churn: 0 });
    }
  }
  const knownHashes = hashes.every((hash) => hash !== undefined);
  for (let i = 0; i < fields.length; i++) {
    for (let j = i + 1; j < fields.length; j++) {
      const field = soleDifference(fields[i]!, fields[j]!);
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

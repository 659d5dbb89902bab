/**
 * For a pool (the tooling study): what each of the varied fields, changed alone, does to the
 * result. Every pair of members that differ in exactly one field is a controlled comparison
 * of that field: are their final weights bit-identical, on how many test examples do their
 * predictions disagree, how much accuracy does the change gain or lose, and how much longer
 * does it take to train? Accuracy and time are signed: from the member at the field's
 * reference value (the pool's first) to the other.
 */
import type { PairMatrix } from "../metrics/pairwise.js";
import type { PoolEffect } from "../results/result-types.js";

type Fields = Readonly<Record<string, string>>;

/** One pool member, as the effects need it. */
export interface PoolMemberFacts {
  /** The member's value (canonical JSON) of each varied field. */
  fields: Fields;
  /** The pool's reference value of each varied field. */
  reference?: Fields;
  /** Final weights hash; undefined when unknown. */
  weightsSha256: string | undefined;
  /** Top-1 accuracy in [0, 1]; undefined when unknown. */
  accuracy?: number | undefined;
  /** Training seconds; undefined when not recorded. */
  seconds?: number | undefined;
}

/** The one field in which two members differ, or null when they differ in none or several. */
function soleDifference(a: Fields, b: Fields): string | null {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  const differing = [...keys].filter((key) => a[key] !== b[key]);
  return differing.length === 1 ? differing[0]! : null;
}

interface Tally {
  pairs: number;
  differing: number;
  churn: number;
  accuracyPairs: number;
  accuracyChange: number;
  timePairs: number;
  logTimeRatio: number;
}

/**
 * One entry per varied field, in the order the members name them. `churn` is the members'
 * pairwise disagreement, in the members' order.
 */
export function poolEffects(members: readonly PoolMemberFacts[], churn: PairMatrix): PoolEffect[] {
  const effects = new Map<string, Tally>();
  for (const member of members) {
    for (const key of Object.keys(member.fields)) {
      if (!effects.has(key)) {
        effects.set(key, {
          pairs: 0,
          differing: 0,
          churn: 0,
          accuracyPairs: 0,
          accuracyChange: 0,
          timePairs: 0,
          logTimeRatio: 0,
        });
      }
    }
  }
  const knownHashes = members.every((member) => member.weightsSha256 !== undefined);
  for (let i = 0; i < members.length; i++) {
    for (let j = i + 1; j < members.length; j++) {
      const field = soleDifference(members[i]!.fields, members[j]!.fields);
      if (field === null) continue;
      const effect = effects.get(field)!;
      effect.pairs++;
      if (knownHashes && members[i]!.weightsSha256 !== members[j]!.weightsSha256) {
        effect.differing++;
      }
      effect.churn += churn.values[i * churn.runs + j]!;
      // From the member at the reference value to the changed one; in the members' order
      // where neither is at it (a field of three values or more).
      const [from, to] =
        members[j]!.fields[field] === members[j]!.reference?.[field]
          ? [members[j]!, members[i]!]
          : [members[i]!, members[j]!];
      if (from.accuracy !== undefined && to.accuracy !== undefined) {
        effect.accuracyPairs++;
        effect.accuracyChange += to.accuracy - from.accuracy;
      }
      if (from.seconds !== undefined && to.seconds !== undefined && from.seconds > 0) {
        effect.timePairs++;
        effect.logTimeRatio += Math.log(to.seconds / from.seconds);
      }
    }
  }
  return [...effects].map(([field, tally]) => ({
    field,
    pairs: tally.pairs,
    pairsWithDifferentWeights: knownHashes ? tally.differing : null,
    meanChurn: tally.pairs > 0 ? tally.churn / tally.pairs : null,
    meanAccuracyChange: tally.accuracyPairs > 0 ? tally.accuracyChange / tally.accuracyPairs : null,
    timeRatio: tally.timePairs > 0 ? Math.exp(tally.logTimeRatio / tally.timePairs) : null,
  }));
}

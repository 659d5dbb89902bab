/**
 * Which pairs of groups are compared: within a family (one model, dataset and config, the
 * settings apart) every pair, the declared ones (ALGO vs IMPL, ALGO+IMPL vs ALGO, IMPL vs
 * Control) and a pool's as confirmatory, the rest exploratory; across families, groups of one
 * setting whose configs differ in exactly one field (BatchNorm, lr, threads), exploratory.
 */

import { configLeaves, differingFields } from "../runs/config-fields.js";
import type { ComparableGroup } from "./compare.js";
import { DECLARED_PAIRS, STANDARD_SETTINGS } from "./settings.js";

export interface ComparedPair {
  a: ComparableGroup;
  b: ComparableGroup;
  /** The declared "same order" pair: tested for equivalence. */
  equivalence: boolean;
  exploratory: boolean;
  differsIn: string[];
}

/** A group with its config (our layout), to find the groups that differ in one field. */
export interface PairableGroup extends ComparableGroup {
  config: Record<string, unknown> | undefined;
}

/** Every pair of one family's groups, the declared ones in their declared order. */
export function familyPairs(family: readonly ComparableGroup[]): ComparedPair[] {
  const pairs: ComparedPair[] = [];
  for (const [i, a] of family.entries()) {
    for (const b of family.slice(i + 1)) {
      const [sa, sb] = [a.result.setting, b.result.setting];
      const declared = DECLARED_PAIRS.find(
        (pair) => (pair.a === sa && pair.b === sb) || (pair.a === sb && pair.b === sa),
      );
      const base = { differsIn: ["setting"], equivalence: false, exploratory: false };
      if (declared) {
        const [first, second] = declared.a === sa ? [a, b] : [b, a];
        pairs.push({ ...base, a: first, b: second, equivalence: declared.kind === "equivalence" });
      } else {
        // A pool against a setting was compared before any other pair: it stays confirmatory.
        const pool = !STANDARD_SETTINGS.has(sa) || !STANDARD_SETTINGS.has(sb);
        pairs.push({ ...base, a, b, exploratory: !pool });
      }
    }
  }
  return pairs;
}

/** Pairs of groups from different families, of one setting, whose configs differ in one field. */
export function oneFieldPairs(groups: readonly PairableGroup[]): ComparedPair[] {
  const leaves = groups.map((group) => (group.config ? configLeaves(group.config) : null));
  const pairs: ComparedPair[] = [];
  for (const [i, a] of groups.entries()) {
    for (const [j, b] of groups.entries()) {
      if (j <= i || leaves[i] === null || leaves[j] === null) continue;
      if (a.result.familyKey === b.result.familyKey) continue;
      if (a.result.setting !== b.result.setting) continue;
      const fields = differingFields([leaves[i]!, leaves[j]!]);
      if (fields.length !== 1) continue;
      pairs.push({ a, b, equivalence: false, exploratory: true, differsIn: fields });
    }
  }
  return pairs;
}

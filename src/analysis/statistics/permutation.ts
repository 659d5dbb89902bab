/**
 * Permutation tests over runs: under "the two settings produce runs alike", every way of
 * relabelling the pooled runs into groups of the original sizes is equally likely. With few
 * runs the relabellings are enumerated (an exact p-value); with many, a seeded Monte Carlo
 * sample of them is drawn, p = (1 + hits) / (1 + draws), which is itself a valid p-value.
 */
import type { RandomStream } from "../../random/stream.js";

export interface PermutationTest {
  /** Observed value of the statistic (larger = more evidence against the null). */
  statistic: number;
  pValue: number;
  /** Distinct relabellings, C(na + nb, na). */
  relabellings: number;
  /** True when every relabelling was enumerated. */
  exact: boolean;
  /** Relabellings evaluated (all of them when exact). */
  evaluated: number;
  /** The smallest p-value this design can give, whatever the data. */
  minimumP: number;
}

/** C(n, k) as a double; exact while below 2^53, large enough to compare with a limit beyond. */
export function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return Math.round(result);
}

/**
 * The smallest p-value a permutation test over na + nb runs can reach. A statistic symmetric
 * in the two groups (|log sa/sb|, |churn a − churn b|) ties the observed labelling with its
 * mirror image when na = nb, halving the number of distinct outcomes.
 */
export function minimumPermutationP(
  na: number,
  nb: number,
  symmetric: boolean,
  maxExact: number,
  draws: number,
): number {
  const relabellings = binomial(na + nb, na);
  if (relabellings > maxExact) return 1 / (draws + 1);
  return (symmetric && na === nb ? 2 : 1) / relabellings;
}

/** Calls `visit` with every subset of size k of [0, n), as a sorted index array. */
function forEachSubset(n: number, k: number, visit: (subset: Int32Array) => void): void {
  const subset = Int32Array.from({ length: k }, (_, i) => i);
  while (true) {
    visit(subset);
    let i = k - 1;
    while (i >= 0 && subset[i] === n - k + i) i--;
    if (i < 0) return;
    subset[i]!++;
    for (let j = i + 1; j < k; j++) subset[j] = subset[j - 1]! + 1;
  }
}

/** Splits [0, n) into the members of `chosen` (sorted) and the rest. */
function complement(n: number, chosen: Int32Array): Int32Array {
  const rest = new Int32Array(n - chosen.length);
  let c = 0;
  let r = 0;
  for (let i = 0; i < n; i++) {
    if (c < chosen.length && chosen[c] === i) c++;
    else rest[r++] = i;
  }
  return rest;
}

/**
 * Permutation test of a statistic of two groups of runs, indexed 0..na−1 (group a) and
 * na..na+nb−1 (group b) in the pooled numbering. `statistic(a, b)` takes the pooled indices
 * of a relabelled group a and group b. Ties with the observed value (to rounding) count as
 * at least as extreme, so the p-value is never too small.
 */
export function permutationTest(
  na: number,
  nb: number,
  statistic: (a: Int32Array, b: Int32Array) => number,
  rng: RandomStream,
  options: { maxExact: number; draws: number; symmetric: boolean },
): PermutationTest {
  const n = na + nb;
  const observedA = Int32Array.from({ length: na }, (_, i) => i);
  const observed = statistic(observedA, complement(n, observedA));
  const relabellings = binomial(n, na);
  const minimumP = minimumPermutationP(na, nb, options.symmetric, options.maxExact, options.draws);
  const threshold = observed - 1e-12 * Math.max(1, Math.abs(observed));
  let hits = 0;
  let evaluated = 0;
  if (relabellings <= options.maxExact) {
    forEachSubset(n, na, (a) => {
      evaluated++;
      if (statistic(a, complement(n, a)) >= threshold) hits++;
    });
    return {
      statistic: observed,
      pValue: hits / evaluated,
      relabellings,
      exact: true,
      evaluated,
      minimumP,
    };
  }
  const pool = Int32Array.from({ length: n }, (_, i) => i);
  for (let draw = 0; draw < options.draws; draw++) {
    // Partial Fisher–Yates: the first na positions are a uniform random subset.
    for (let i = 0; i < na; i++) {
      const j = i + rng.nextInt(n - i);
      [pool[i], pool[j]] = [pool[j]!, pool[i]!];
    }
    evaluated++;
    // The statistic does not depend on the order within a group: no sort, no copy.
    if (statistic(pool.subarray(0, na), pool.subarray(na)) >= threshold) hits++;
  }
  return {
    statistic: observed,
    pValue: (hits + 1) / (evaluated + 1),
    relabellings,
    exact: false,
    evaluated,
    minimumP,
  };
}

/**
 * Tests of whether two settings spread their runs differently. Difference tests are
 * permutation tests over runs; the equivalence test ("the same order") is the two
 * one-sided F tests on the ratio of stds (TOST), exact for normal runs.
 */

import type { RandomStream } from "../../random/stream.js";
import type { PairMatrix } from "../metrics/pairwise.js";
import { fCdf } from "./distributions.js";
import { type PermutationTest, permutationTest } from "./permutation.js";
import { mean } from "./stats.js";

export interface PermutationOptions {
  maxExact: number;
  draws: number;
}

/**
 * Is std(a) ≠ std(b)? Each group is centred on its own mean first (so a shift in mean
 * accuracy between settings is not mistaken for a difference in spread), then the pooled
 * residuals are relabelled; the statistic is |log(sa / sb)|.
 */
export function spreadPermutationTest(
  a: readonly number[],
  b: readonly number[],
  rng: RandomStream,
  options: PermutationOptions,
): PermutationTest {
  const centre = (values: readonly number[]) => {
    const m = mean(values);
    return values.map((value) => value - m);
  };
  const pooled = Float64Array.from([...centre(a), ...centre(b)]);
  // Sample std of the chosen residuals, without allocating: this runs for every relabelling.
  const stdOf = (indices: Int32Array) => {
    let sum = 0;
    for (let i = 0; i < indices.length; i++) sum += pooled[indices[i]!]!;
    const m = sum / indices.length;
    let squares = 0;
    for (let i = 0; i < indices.length; i++) squares += (pooled[indices[i]!]! - m) ** 2;
    return Math.sqrt(squares / (indices.length - 1));
  };
  return permutationTest(
    a.length,
    b.length,
    (x, y) => Math.abs(Math.log(stdOf(x) / stdOf(y))),
    rng,
    { ...options, symmetric: true },
  );
}

/** Mean of the pooled pair matrix over the pairs within one set of runs. */
function pairMeanWithin(matrix: PairMatrix, runs: Int32Array): number {
  let sum = 0;
  for (let x = 0; x < runs.length; x++) {
    for (let y = x + 1; y < runs.length; y++)
      sum += matrix.values[runs[x]! * matrix.runs + runs[y]!]!;
  }
  return sum / ((runs.length * (runs.length - 1)) / 2);
}

/**
 * Is churn(a) ≠ churn(b)? `pooled` holds the pairwise churn of all runs of both settings
 * (a's first), cross-setting pairs included, so any relabelling's within-group churn is
 * known. Relabelling whole runs keeps each run's pairs together: their dependence is respected.
 */
export function pairMeanPermutationTest(
  pooled: PairMatrix,
  na: number,
  rng: RandomStream,
  options: PermutationOptions,
): PermutationTest {
  return permutationTest(
    na,
    pooled.runs - na,
    (x, y) => Math.abs(pairMeanWithin(pooled, x) - pairMeanWithin(pooled, y)),
    rng,
    { ...options, symmetric: true },
  );
}

export interface EquivalenceTest {
  /** Declared margin m: "the same order" means 1/m ≤ σa/σb ≤ m. */
  margin: number;
  pValue: number;
  /** The p-value at a ratio of exactly 1: the smallest these run counts can give. */
  minimumP: number;
}

/** One-sided F p-values of the TOST on σa/σb against the margins 1/m and m. */
function tostP(ratioSquared: number, m: number, df1: number, df2: number): number {
  const aboveLower = 1 - fCdf(ratioSquared * m * m, df1, df2); // H0: σa/σb ≤ 1/m
  const belowUpper = fCdf(ratioSquared / (m * m), df1, df2); // H0: σa/σb ≥ m
  return Math.max(aboveLower, belowUpper);
}

/** TOST of equivalence of two stds within a factor `margin`; null when a std is 0. */
export function stdEquivalenceTest(
  sa: number,
  na: number,
  sb: number,
  nb: number,
  margin: number,
): EquivalenceTest | null {
  if (na < 2 || nb < 2 || !(sa > 0) || !(sb > 0)) return null;
  return {
    margin,
    pValue: tostP((sa / sb) ** 2, margin, na - 1, nb - 1),
    minimumP: tostP(1, margin, na - 1, nb - 1),
  };
}

/** The minimum TOST p-value for na and nb runs, before any data: can the test conclude? */
export const equivalenceMinimumP = (na: number, nb: number, margin: number) =>
  tostP(1, margin, na - 1, nb - 1);

import { type PairMatrix, pairMatrix } from "./pairwise.js";

/**
 * Metrics over predictions shaped runs × examples: `predictions[r][e]` is run r's
 * predicted class for test example e. Multi-label predictions are passed flattened
 * (examples × attributes, 0/1), which makes every "example" here one (example, attribute).
 */
export type Predictions = readonly ArrayLike<number>[];

function checkShapes(predictions: Predictions, labels?: ArrayLike<number>): number {
  const examples = predictions[0]?.length ?? 0;
  for (const [run, row] of predictions.entries()) {
    if (row.length !== examples) {
      throw new Error(`run ${run} has ${row.length} predictions, run 0 has ${examples}`);
    }
  }
  if (labels !== undefined && labels.length !== examples) {
    throw new Error(`${labels.length} labels for ${examples} predictions`);
  }
  return examples;
}

/** Correct predictions of each run: integers, from which spreads are computed exactly. */
export function correctPerRun(predictions: Predictions, labels: ArrayLike<number>): number[] {
  const examples = checkShapes(predictions, labels);
  return predictions.map((row) => {
    let correct = 0;
    for (let e = 0; e < examples; e++) if (row[e] === labels[e]) correct++;
    return correct;
  });
}

/** Top-1 accuracy of each run. */
export function accuracyPerRun(predictions: Predictions, labels: ArrayLike<number>): number[] {
  const examples = checkShapes(predictions, labels);
  return correctPerRun(predictions, labels).map((correct) => correct / examples);
}

/** Fraction of examples on which two runs predict different classes. */
export function disagreement(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let differ = 0;
  for (let e = 0; e < a.length; e++) if (a[e] !== b[e]) differ++;
  return a.length === 0 ? Number.NaN : differ / a.length;
}

/**
 * Churn between every pair of runs: the fraction of test examples predicted differently.
 * (The original returned the fraction that agrees, 1 − churn; this is the disagreement.)
 */
export function churnMatrix(predictions: Predictions): PairMatrix {
  checkShapes(predictions);
  return pairMatrix(predictions.length, (i, j) => disagreement(predictions[i]!, predictions[j]!));
}

/** Per-class correct counts, runs × classes, and each class's number of test examples. */
export function perClassCorrect(
  predictions: Predictions,
  labels: ArrayLike<number>,
  classes: number,
): { correct: number[][]; support: number[] } {
  const examples = checkShapes(predictions, labels);
  const support = new Array<number>(classes).fill(0);
  for (let e = 0; e < examples; e++) support[labels[e]!]!++;
  const correct = predictions.map((row) => {
    const counts = new Array<number>(classes).fill(0);
    for (let e = 0; e < examples; e++) if (row[e] === labels[e]) counts[labels[e]!]!++;
    return counts;
  });
  return { correct, support };
}

/**
 * Accuracy of each run on each class, runs × classes. A class with no test example
 * gets NaN (it has no accuracy), never 0.
 */
export function perClassAccuracy(
  predictions: Predictions,
  labels: ArrayLike<number>,
  classes: number,
): number[][] {
  const { correct, support } = perClassCorrect(predictions, labels, classes);
  return correct.map((row) =>
    row.map((count, k) => (support[k] === 0 ? Number.NaN : count / support[k]!)),
  );
}

export interface ExampleVotes {
  /** The most frequent prediction (smallest class index among ties). */
  majority: Int32Array;
  /** How many runs predicted the majority class. */
  majorityCount: Int32Array;
}

export function exampleVotes(predictions: Predictions): ExampleVotes {
  const examples = checkShapes(predictions);
  const runs = predictions.length;
  const majority = new Int32Array(examples);
  const majorityCount = new Int32Array(examples);
  let classes = 0;
  for (const row of predictions)
    for (let e = 0; e < examples; e++) classes = Math.max(classes, row[e]! + 1);
  // One reusable count array; only the entries an example touched are reset.
  const counts = new Int32Array(classes);
  for (let e = 0; e < examples; e++) {
    let best = -1;
    let bestCount = 0;
    for (let r = 0; r < runs; r++) {
      const cls = predictions[r]![e]!;
      const count = ++counts[cls]!;
      if (count > bestCount || (count === bestCount && cls < best)) {
        best = cls;
        bestCount = count;
      }
    }
    for (let r = 0; r < runs; r++) counts[predictions[r]![e]!] = 0;
    majority[e] = best;
    majorityCount[e] = bestCount;
  }
  return { majority, majorityCount };
}

/**
 * Per-example instability: the fraction of runs that disagree with the majority
 * prediction for that example (0 = every run agrees). Which tied class is called the
 * majority does not change the value.
 */
export function exampleInstability(predictions: Predictions): Float64Array {
  const runs = predictions.length;
  const { majorityCount } = exampleVotes(predictions);
  return Float64Array.from(majorityCount, (count) => (runs - count) / runs);
}

export interface InstabilityBin {
  /** Number of runs that disagree with the majority. */
  disagreeingRuns: number;
  instability: number;
  examples: number;
  fraction: number;
}

/** The distribution of instability: how many examples have k runs off the majority. */
export function instabilityHistogram(instability: Float64Array, runs: number): InstabilityBin[] {
  const counts = new Array<number>(runs).fill(0);
  for (const value of instability) counts[Math.round(value * runs)]!++;
  let lastNonEmpty = counts.length - 1;
  while (lastNonEmpty > 0 && counts[lastNonEmpty] === 0) lastNonEmpty--;
  return counts.slice(0, Math.max(lastNonEmpty + 1, 1)).map((examples, k) => ({
    disagreeingRuns: k,
    instability: k / runs,
    examples,
    fraction: instability.length === 0 ? Number.NaN : examples / instability.length,
  }));
}

/** Indices of the `count` most unstable examples, most unstable first, ties by index. */
export function mostUnstable(instability: Float64Array, count: number): number[] {
  const indices = Array.from(instability.keys()).filter((e) => instability[e]! > 0);
  indices.sort((a, b) => instability[b]! - instability[a]! || a - b);
  return indices.slice(0, count);
}

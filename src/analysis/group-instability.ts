import { type BootstrapOptions, bootstrapEstimate } from "./bootstrap.js";
import {
  exampleInstability,
  exampleVotes,
  instabilityHistogram,
  mostUnstable,
} from "./metrics/classification.js";
import type { Rng } from "./prng.js";
import type { InstabilityResult } from "./result-types.js";
import type { GroupData } from "./runs/load-group.js";
import { mean } from "./stats.js";

/** Above this many run × example visits per interval, the bootstrap would take minutes. */
const MAX_BOOTSTRAP_WORK = 4e8;

/**
 * Mean instability of the runs picked by `indices`, computed with one reusable count
 * array (touched entries are reset) so a bootstrap resample costs O(runs × examples).
 */
function meanInstabilityOf(
  predictions: readonly Int32Array[],
  indices: ArrayLike<number>,
  classes: number,
): number {
  const counts = new Int32Array(classes);
  const n = indices.length;
  const examples = predictions[0]!.length;
  let sum = 0;
  for (let e = 0; e < examples; e++) {
    let best = 0;
    for (let a = 0; a < n; a++) {
      const count = ++counts[predictions[indices[a]!]![e]!]!;
      if (count > best) best = count;
    }
    for (let a = 0; a < n; a++) counts[predictions[indices[a]!]![e]!] = 0;
    sum += (n - best) / n;
  }
  return sum / examples;
}

export function groupInstability(
  group: GroupData,
  topCount: number,
  rng: Rng,
  options: BootstrapOptions,
  notes: string[],
): InstabilityResult {
  const predictions = group.runs.map((run) => run.predictions);
  const runs = predictions.length;
  const instability = exampleInstability(predictions);
  const entries = instability.length;
  const work = runs * entries * options.resamples;
  const statistic = (indices: ArrayLike<number>) =>
    meanInstabilityOf(predictions, indices, group.classes);
  let meanEstimate = {
    value: mean(instability),
    low: null,
    high: null,
  } as InstabilityResult["mean"];
  if (work <= MAX_BOOTSTRAP_WORK) {
    meanEstimate = bootstrapEstimate(runs, statistic, rng, options);
  } else {
    notes.push(`instability interval skipped: ${runs} runs × ${entries} values is too large`);
  }
  const { majority } = exampleVotes(predictions);
  const multilabel = group.kind === "multilabel";
  const top = mostUnstable(instability, topCount).map((index) => {
    const votes: Record<string, number> = {};
    for (const prediction of predictions) {
      const key = String(prediction[index]);
      votes[key] = (votes[key] ?? 0) + 1;
    }
    return {
      example: multilabel ? Math.floor(index / group.attributes) : index,
      attribute: multilabel ? group.names?.[index % group.attributes] : undefined,
      instability: instability[index]!,
      label: group.labels?.[index],
      votes,
      majority: majority[index]!,
    };
  });
  const unstable = instability.reduce((count, value) => count + (value > 0 ? 1 : 0), 0);
  return {
    unit: multilabel ? "example × attribute" : "example",
    mean: meanEstimate,
    unstableFraction: entries === 0 ? Number.NaN : unstable / entries,
    histogram: instabilityHistogram(instability, runs),
    mostUnstable: top.map(({ majority: _majority, ...rest }) => rest),
  };
}

import { exampleVotes, instabilityHistogram, mostUnstable } from "../metrics/classification.js";
import type { InstabilityResult } from "../results/result-types.js";
import type { GroupData } from "../runs/load-group.js";
import { mean } from "../statistics/stats.js";

/**
 * How far each example's predictions stray from the majority. Descriptive, with no
 * interval: the majority is a function of all runs at once, and churn (which has one)
 * measures the same disagreement pair by pair.
 */
export function groupInstability(group: GroupData, topCount: number): InstabilityResult {
  const predictions = group.runs.map((run) => run.predictions);
  const runs = predictions.length;
  // One pass of votes: how many runs agree with the majority, per example.
  const { majorityCount } = exampleVotes(predictions);
  const instability = Float64Array.from(majorityCount, (count) => (runs - count) / runs);
  const entries = instability.length;
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
    };
  });
  const unstable = instability.reduce((count, value) => count + (value > 0 ? 1 : 0), 0);
  return {
    unit: multilabel ? "example × attribute" : "example",
    mean: mean(instability),
    unstableFraction: entries === 0 ? Number.NaN : unstable / entries,
    histogram: instabilityHistogram(instability, runs),
    mostUnstable: top,
  };
}

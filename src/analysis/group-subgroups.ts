import { type BootstrapOptions, bootstrapOfValues } from "./bootstrap.js";
import { subgroupErrorRates } from "./metrics/multilabel.js";
import type { Rng } from "./prng.js";
import type { SubgroupResult } from "./result-types.js";
import type { GroupData } from "./runs/load-group.js";
import { mean, stdSample } from "./stats.js";

const finite = (values: number[]) => values.filter(Number.isFinite);

/**
 * FPR and FNR of every attribute, over all examples and within each subgroup (the
 * examples whose true value of a chosen attribute is 1, then 0), with the sample std
 * over runs and its bootstrap interval.
 */
export function groupSubgroups(
  group: GroupData,
  subgroupAttributes: readonly string[],
  rng: Rng,
  options: BootstrapOptions,
  notes: string[],
): SubgroupResult[] {
  const labels = group.labels!;
  const names = group.names!;
  const predictions = group.runs.map((run) => run.predictions);
  const splits: { subgroup: string; index: number | undefined; value: 0 | 1 }[] = [
    { subgroup: "all", index: undefined, value: 1 },
  ];
  for (const attribute of subgroupAttributes) {
    const index = names.indexOf(attribute);
    if (index === -1) {
      notes.push(`subgroup attribute "${attribute}" is not one of this task's attributes`);
      continue;
    }
    splits.push({ subgroup: `${attribute}=1`, index, value: 1 });
    splits.push({ subgroup: `${attribute}=0`, index, value: 0 });
  }
  return splits.map(({ subgroup, index, value }) => {
    const perRun = subgroupErrorRates(predictions, labels, group.attributes, index, value);
    let examples = group.examples;
    if (index !== undefined) {
      examples = 0;
      for (let e = 0; e < group.examples; e++) {
        if (labels[e * group.attributes + index] === value) examples++;
      }
    }
    const rates = names.map((attribute, a) => {
      // A run whose subgroup has no positives (or negatives) has no FNR (FPR): left out.
      const fpr = finite(perRun.map((run) => run[a]!.fpr));
      const fnr = finite(perRun.map((run) => run[a]!.fnr));
      return {
        attribute,
        fprMean: mean(fpr),
        fprStd: bootstrapOfValues(fpr, stdSample, rng, options),
        fnrMean: mean(fnr),
        fnrStd: bootstrapOfValues(fnr, stdSample, rng, options),
      };
    });
    return { subgroup, examples, rates };
  });
}

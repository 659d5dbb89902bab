import { confusionPerAttribute } from "../metrics/multilabel.js";
import type { SubgroupResult } from "../results/result-types.js";
import type { GroupData } from "../runs/load-group.js";
import { countStd } from "../statistics/count-spread.js";
import { pointOnly } from "../statistics/estimate.js";
import { fractionMeanEstimate, stdEstimate } from "./group-accuracy.js";

/**
 * FPR and FNR of every attribute, over all examples and within each subgroup (the
 * examples whose true value of a chosen attribute is 1, then 0), with the sample std over
 * runs and its χ² interval. The labels are the same for every run, so FP + TN and FN + TP
 * are fixed: the std is computed from the integer FP and FN counts, exactly.
 */
export function groupSubgroups(
  group: GroupData,
  subgroupAttributes: readonly string[],
  level: number,
  notes: string[],
): SubgroupResult[] {
  const labels = group.labels!;
  const names = group.names!;
  const attributes = group.attributes;
  const predictions = group.runs.map((run) => run.predictions);
  const n = predictions.length;
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
    const include =
      index === undefined ? undefined : (e: number) => labels[e * attributes + index] === value;
    const confusion = predictions.map((prediction) =>
      confusionPerAttribute(prediction, labels, attributes, include),
    );
    let examples = group.examples;
    if (include !== undefined) {
      examples = 0;
      for (let e = 0; e < group.examples; e++) if (include(e)) examples++;
    }
    const rates = names.map((attribute, a) => {
      const cells = confusion.map((run) => run[a]!);
      // A subgroup with no positives (negatives) of an attribute has no FNR (FPR): NaN.
      const negatives = cells[0]!.fp + cells[0]!.tn;
      const positives = cells[0]!.fn + cells[0]!.tp;
      const fp = cells.map((c) => c.fp);
      const fn = cells.map((c) => c.fn);
      const rate = (counts: number[], of: number) => {
        if (of === 0) return { mean: pointOnly(Number.NaN), std: pointOnly(Number.NaN) };
        const s = countStd(counts, of, 1);
        const value = counts.reduce((x, y) => x + y, 0) / counts.length / of;
        return { mean: fractionMeanEstimate(value, s, n, level), std: stdEstimate(s, n, level) };
      };
      const fpr = rate(fp, negatives);
      const fnr = rate(fn, positives);
      return {
        attribute,
        fprMean: fpr.mean.value,
        fprMeanInterval: fpr.mean,
        fprStd: fpr.std,
        fnrMean: fnr.mean.value,
        fnrMeanInterval: fnr.mean,
        fnrStd: fnr.std,
      };
    });
    return { subgroup, examples, rates };
  });
}

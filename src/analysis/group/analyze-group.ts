import type { PairMatrix } from "../metrics/pairwise.js";
import type { GroupResult } from "../results/result-types.js";
import type { GroupData } from "../runs/load-group.js";
import { mergeContexts } from "../runs/run-context.js";
import { pairFractionInterval } from "../statistics/intervals.js";
import { runsNeeded } from "../statistics/runs-needed.js";
import { groupAccuracy, groupPerClass, identicalPredictions } from "./group-accuracy.js";
import { groupInstability } from "./group-instability.js";
import { groupSubgroups } from "./group-subgroups.js";
import { groupIdentity, groupL2, runWeightHashes } from "./group-weights.js";
import { poolEffects } from "./pool-effects.js";

export interface GroupAnalysisOptions {
  level: number;
  subgroupAttributes: readonly string[];
  topUnstable: number;
}

/**
 * Every metric of one group of replicates, with intervals of stated coverage. `churn` is
 * the runs' pairwise disagreement, computed once by the caller, which compares groups with it too.
 */
export function analyzeGroup(
  group: GroupData,
  churn: PairMatrix,
  options: GroupAnalysisOptions,
): GroupResult {
  const { level } = options;
  const notes: string[] = [];
  const { descriptor } = group;
  const n = group.runs.length;
  if (n < 2) notes.push("only one run: no spread can be measured");
  if (n === 2) notes.push("two runs: churn and L2 are one pair each, with no interval");

  const hashes = runWeightHashes(group.runs);
  const identity = groupIdentity(hashes);
  const samePredictions = n > 1 && identicalPredictions(group);
  const identicalRuns =
    n > 1 && identity.identical === true ? "weights" : samePredictions ? "predictions" : null;

  const accuracy = groupAccuracy(group, level, notes);
  const perClass =
    group.labels !== undefined && accuracy !== null
      ? groupPerClass(group, accuracy.stdSample.value, level)
      : null;
  const subgroups =
    group.kind === "multilabel" && group.labels !== undefined
      ? groupSubgroups(group, options.subgroupAttributes, level, notes)
      : null;
  const churnEstimate = pairFractionInterval(churn, level);
  const members = group.runs.map((run) => run.membership);
  const pooled = members.length > 1 && members.every((member) => member !== undefined);
  return {
    label: descriptor.label,
    model: descriptor.model,
    dataset: descriptor.dataset,
    setting: descriptor.setting,
    batchNorm: descriptor.batchNorm,
    familyKey: descriptor.familyKey,
    groupKey: descriptor.groupKey,
    layout: group.layout,
    kind: group.kind,
    epoch: group.epoch,
    examples: group.examples,
    classes: group.kind === "multilabel" ? group.attributes : group.classes,
    runs: group.runs.map((run, i) => ({
      dir: run.dir,
      replicate: run.replicate,
      ...(run.membership === undefined ? {} : { variant: run.membership.variant }),
      ...(hashes.hashes[i] === undefined ? {} : { weightsSha256: hashes.hashes[i] }),
    })),
    identicalRuns,
    accuracy,
    churn: churnEstimate,
    l2: groupL2(group.runs, group.epoch, level, notes),
    perClass,
    instability: groupInstability(group, options.topUnstable),
    subgroups,
    identity,
    context: mergeContexts(group.runs.map((run) => run.context)),
    runsNeeded: runsNeeded(n, level, accuracy, churnEstimate),
    poolEffects: pooled
      ? poolEffects(
          members.map((member, i) => ({
            fields: member!.fields,
            reference: member!.reference,
            weightsSha256: hashes.hashes[i],
            accuracy: accuracy?.perRun[i],
            seconds: member!.seconds,
          })),
          churn,
        )
      : null,
    notes,
  };
}

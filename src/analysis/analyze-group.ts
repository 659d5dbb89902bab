import { type BootstrapOptions, bootstrapOfPairs, bootstrapOfValues } from "./bootstrap.js";
import { groupInstability } from "./group-instability.js";
import { groupSubgroups } from "./group-subgroups.js";
import { groupIdentity, groupL2, runWeightHashes } from "./group-weights.js";
import { accuracyPerRun, perClassAccuracy } from "./metrics/classification.js";
import { attributeAccuracy } from "./metrics/multilabel.js";
import type { PairMatrix } from "./metrics/pairwise.js";
import { poolEffects } from "./pool-effects.js";
import type { Rng } from "./prng.js";
import type { AccuracyResult, GroupResult, PerClassResult } from "./result-types.js";
import type { GroupData } from "./runs/load-group.js";
import { maximum, mean, minimum, stdPopulation, stdSample } from "./stats.js";

export interface GroupAnalysisOptions extends BootstrapOptions {
  subgroupAttributes: readonly string[];
  topUnstable: number;
}

function accuracyResult(
  perRun: number[],
  source: AccuracyResult["source"],
  rng: Rng,
  options: BootstrapOptions,
): AccuracyResult {
  return {
    source,
    perRun,
    mean: mean(perRun),
    min: minimum(perRun),
    max: maximum(perRun),
    stdPopulation: bootstrapOfValues(perRun, stdPopulation, rng, options),
    stdSample: bootstrapOfValues(perRun, stdSample, rng, options),
  };
}

function perClassResult(
  group: GroupData,
  top1StdSample: number,
  rng: Rng,
  options: BootstrapOptions,
): PerClassResult {
  const predictions = group.runs.map((run) => run.predictions);
  const multilabel = group.kind === "multilabel";
  const table = multilabel
    ? attributeAccuracy(predictions, group.labels!, group.attributes)
    : perClassAccuracy(predictions, group.labels!, group.classes);
  const count = multilabel ? group.attributes : group.classes;
  const names = group.names?.slice(0, count) ?? Array.from({ length: count }, (_, k) => String(k));
  const column = (k: number) => table.map((row) => row[k]!);
  const present = Array.from({ length: count }, (_, k) => k).filter((k) =>
    Number.isFinite(column(k)[0]),
  );
  const stdEstimates = present.map((k) => bootstrapOfValues(column(k), stdSample, rng, options));
  // The interval of the mean per-class std resamples runs, recomputing every class.
  const meanStdOf = (rows: number[][]) =>
    mean(present.map((k) => stdSample(rows.map((row) => row[k]!))));
  const meanStd = bootstrapOfValues(
    table.map((_, r) => r),
    (sample) => meanStdOf(sample.map((r) => table[r]!)),
    rng,
    options,
  );
  return {
    unit: multilabel ? "attribute" : "class",
    names: present.map((k) => names[k] ?? String(k)),
    meanAccuracy: present.map((k) => mean(column(k))),
    stdSample: stdEstimates,
    meanStd,
    maxStd: maximum(stdEstimates.map((estimate) => estimate.value)),
    ratioToTop1: meanStd.value / top1StdSample,
  };
}

/**
 * Every metric of one group of replicates, with seeded bootstrap intervals. `churn` is the
 * runs' pairwise disagreement, computed once by the caller, which compares groups with it too.
 */
export function analyzeGroup(
  group: GroupData,
  churn: PairMatrix,
  rng: Rng,
  options: GroupAnalysisOptions,
): GroupResult {
  const notes: string[] = [];
  const predictions = group.runs.map((run) => run.predictions);
  const { descriptor } = group;
  if (group.runs.length < 2) notes.push("only one run: no spread can be measured");

  let accuracy: AccuracyResult | null = null;
  if (group.labels !== undefined) {
    accuracy = accuracyResult(accuracyPerRun(predictions, group.labels), "labels", rng, options);
  } else if (group.runs.every((run) => run.loggedAccuracy !== undefined)) {
    const logged = group.runs.map((run) => run.loggedAccuracy!);
    accuracy = accuracyResult(logged, "log", rng, options);
    notes.push("no test labels: accuracy is log.csv's val_accuracy; per-class metrics skipped");
  } else {
    notes.push("no test labels and no val_accuracy in log.csv: accuracy skipped");
  }

  const perClass =
    group.labels !== undefined && accuracy !== null
      ? perClassResult(group, accuracy.stdSample.value, rng, options)
      : null;
  const subgroups =
    group.kind === "multilabel" && group.labels !== undefined
      ? groupSubgroups(group, options.subgroupAttributes, rng, options, notes)
      : null;

  const hashes = runWeightHashes(group.runs);
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
    accuracy,
    churn: bootstrapOfPairs(churn, rng, options),
    l2: groupL2(group.runs, group.epoch, rng, options, notes),
    perClass,
    instability: groupInstability(group, options.topUnstable, rng, options, notes),
    subgroups,
    identity: groupIdentity(hashes),
    poolEffects: pooled
      ? poolEffects(
          members.map((member) => member!.fields),
          hashes.hashes,
          churn,
        )
      : null,
    notes,
  };
}

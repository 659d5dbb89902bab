import type { Difference, Estimate } from "./bootstrap.js";
import type { InstabilityBin } from "./metrics/classification.js";
import type { BitIdentity } from "./metrics/weights.js";
import type { OverheadRow } from "./overhead.js";
import type { Layout, Problem, TaskKind } from "./runs/types.js";
import type { SpreadTest } from "./spread-tests.js";

export interface AccuracyResult {
  /** "labels": computed from predictions; "log": log.csv's val_accuracy (no labels given). */
  source: "labels" | "log";
  perRun: number[];
  mean: number;
  min: number;
  max: number;
  /** numpy's default (ddof = 0), what the original reported. */
  stdPopulation: Estimate;
  /** Bessel-corrected (ddof = 1). */
  stdSample: Estimate;
}

export interface PerClassResult {
  /** "class" for single-label tasks, "attribute" for multi-label ones. */
  unit: "class" | "attribute";
  names: string[];
  meanAccuracy: number[];
  /** Sample std (ddof = 1) over runs of each class's accuracy. */
  stdSample: Estimate[];
  meanStd: Estimate;
  maxStd: number;
  /** meanStd / sample std of top-1 accuracy. */
  ratioToTop1: number;
}

export interface UnstableExample {
  example: number;
  /** Multi-label only: the attribute of that example. */
  attribute: string | undefined;
  instability: number;
  label: number | undefined;
  votes: Record<string, number>;
}

export interface InstabilityResult {
  /** "example" for single-label, "example × attribute" for multi-label. */
  unit: string;
  mean: Estimate;
  /** Fraction of examples on which at least one run leaves the majority. */
  unstableFraction: number;
  histogram: InstabilityBin[];
  mostUnstable: UnstableExample[];
}

export interface SubgroupRates {
  attribute: string;
  fprMean: number;
  fprStd: Estimate;
  fnrMean: number;
  fnrStd: Estimate;
}

export interface SubgroupResult {
  /** "all", or "Male=1" style. */
  subgroup: string;
  examples: number;
  rates: SubgroupRates[];
}

/** A pool's field changed alone: over the member pairs that differ only in it, the effect. */
export interface PoolEffect {
  /** "setting" (the deterministic-kernel flag, in the tooling study), "threads", … */
  field: string;
  /** Member pairs that differ in this field only. */
  pairs: number;
  /** Of those, the pairs whose final weights differ; null when hashes are unknown. */
  pairsWithDifferentWeights: number | null;
  /** Mean churn over those pairs. */
  meanChurn: number | null;
}

export interface GroupResult {
  label: string;
  model: string;
  dataset: string;
  setting: string;
  batchNorm: boolean;
  familyKey: string;
  groupKey: string;
  layout: Layout;
  kind: TaskKind;
  epoch: number;
  examples: number;
  classes: number;
  /** variant: a pool member's tooling; weightsSha256: its final weights, when known. */
  runs: { dir: string; replicate: string; variant?: string; weightsSha256?: string }[];
  accuracy: AccuracyResult | null;
  churn: Estimate;
  l2: Estimate | null;
  perClass: PerClassResult | null;
  instability: InstabilityResult;
  subgroups: SubgroupResult[] | null;
  identity: BitIdentity & { source: "run.json" | "checkpoint file" | "none" };
  /** For a pool (e.g. the tooling study): what each varied field, changed alone, does. */
  poolEffects: PoolEffect[] | null;
  /** Why a metric is missing or was computed differently. */
  notes: string[];
}

export interface Comparison {
  familyKey: string;
  a: string;
  b: string;
  settingA: string;
  settingB: string;
  runsA: number;
  runsB: number;
  /** Brown–Forsythe on the per-run accuracies. */
  accuracySpreadTest: SpreadTest | null;
  /** Bootstrap of sample std(A) / std(B). */
  accuracyStdRatio: Difference | null;
  /** Bootstrap of churn(A) − churn(B). */
  churnDifference: Difference;
}

export interface AnalysisOptions {
  /** 1-based epoch; the latest by default. */
  epoch?: number | undefined;
  /** Labels for runs that carry none (the original's layout). */
  labelsFile?: string | undefined;
  /** Multi-label subgroup attributes, by name; default Male and Young where present. */
  subgroupAttributes?: string[] | undefined;
  seed?: number | undefined;
  resamples?: number | undefined;
  level?: number | undefined;
  topUnstable?: number | undefined;
}

/** results.json's format; /2 added pools (runs' variants, poolEffects). */
export const ANALYSIS_FORMAT = "nnr-analysis/2";

export interface AnalysisResult {
  format: typeof ANALYSIS_FORMAT;
  dir: string;
  settings: {
    epoch: number | null;
    seed: number;
    resamples: number;
    level: number;
    subgroupAttributes: string[];
  };
  groups: GroupResult[];
  comparisons: Comparison[];
  problems: Problem[];
  overhead: OverheadRow[] | null;
}

import type { InstabilityBin } from "../metrics/classification.js";
import type { BitIdentity } from "../metrics/weights.js";
import type { OverheadRow } from "../runs/overhead.js";
import type { RunContext } from "../runs/run-context.js";
import type { GroupDescriptor, Layout, Problem, TaskKind } from "../runs/types.js";
import type { Estimate } from "../statistics/estimate.js";
import type { PerClassBaseline } from "../statistics/per-class-baseline.js";
import type { PermutationTest } from "../statistics/permutation.js";
import type { RunsNeeded } from "../statistics/runs-needed.js";
import type { EquivalenceTest } from "../statistics/spread-tests.js";

export interface AccuracyResult {
  /** "labels": computed from predictions; "log": log.csv's val_accuracy (no labels given). */
  source: "labels" | "log";
  perRun: number[];
  /** Correct predictions per run (labels only): the spreads are computed from these integers. */
  correctPerRun: number[] | null;
  /** What the counts are divided by: test examples (× attributes for multi-label tasks). */
  denominator: number;
  /** Mean over runs, with a t interval over runs. */
  mean: Estimate;
  min: number;
  max: number;
  /** numpy's default (ddof = 0), what the original reported. */
  stdPopulation: number;
  /** Bessel-corrected (ddof = 1), with a χ² interval; exactly 0 when every run scores the same. */
  stdSample: Estimate;
  /** Jordan's prediction of the variance of accuracy under independent per-example errors. */
  independentErrorsVariance: number | null;
}

export interface PerClassResult {
  /** "class" for single-label tasks, "attribute" for multi-label ones. */
  unit: "class" | "attribute";
  names: string[];
  /** Test examples of each class (examples, for each attribute). */
  support: number[];
  meanAccuracy: number[];
  /** The same with its t interval over runs on the logit scale (inside [0, 1]). */
  meanAccuracyInterval: Estimate[];
  /** Sample std (ddof = 1) over runs of each class's accuracy, with a χ² interval. */
  stdSample: Estimate[];
  meanStd: number;
  maxStd: number;
  /** meanStd / sample std of top-1 accuracy; null when top-1 accuracy does not vary. */
  ratioToTop1: number | null;
  baseline: PerClassBaseline | null;
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
  /** Descriptive: no interval. */
  mean: number;
  /** Fraction of examples on which at least one run leaves the majority. */
  unstableFraction: number;
  histogram: InstabilityBin[];
  mostUnstable: UnstableExample[];
}

export interface SubgroupRates {
  attribute: string;
  fprMean: number;
  /** fprMean with its t interval over runs on the logit scale (inside [0, 1]). */
  fprMeanInterval: Estimate;
  fprStd: Estimate;
  fnrMean: number;
  fnrMeanInterval: Estimate;
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
  /**
   * Mean top-1 accuracy of the changed run minus that of the run at the field's reference
   * value, over those pairs; null when no pair has both accuracies.
   */
  meanAccuracyChange?: number | null;
  /**
   * Training time of the changed run over that of the run at the reference value, as the
   * geometric mean over those pairs (a ratio); null when run.json has no time for them.
   */
  timeRatio?: number | null;
}

/** A group's results, under the fields that identify it (its config stays in the group). */
export interface GroupResult extends Omit<GroupDescriptor, "config"> {
  layout: Layout;
  kind: TaskKind;
  epoch: number;
  examples: number;
  classes: number;
  /** variant: a pool member's tooling; weightsSha256: its final weights, when known. */
  runs: { dir: string; replicate: string; variant?: string; weightsSha256?: string }[];
  /**
   * "weights": every run ended with bit-identical weights; "predictions": the weights are
   * not known to be identical but every prediction is; null: the runs differ. Spreads of
   * such a group are exactly 0 and no ratio or test is built on them.
   */
  identicalRuns: "weights" | "predictions" | null;
  accuracy: AccuracyResult | null;
  churn: Estimate;
  l2: Estimate | null;
  perClass: PerClassResult | null;
  instability: InstabilityResult;
  subgroups: SubgroupResult[] | null;
  identity: BitIdentity & { source: "run.json" | "checkpoint file" | "none" };
  /** What the runs ran on, from run.json (null fields: not recorded). */
  context: RunContext;
  /** How precise the headline metrics are with these runs, and how many runs ±X would need. */
  runsNeeded: RunsNeeded[];
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
  /** σa/σb of accuracy with an F interval; null when a std is exactly 0 (see `noRatio`). */
  accuracyStdRatio: Estimate | null;
  /** Why there is no ratio, e.g. "IMPL's runs are bit-identical (std exactly 0)". */
  noRatio: string | null;
  /** Permutation test over runs of |log(sa/sb)|; null when a group is identical or lacks accuracy. */
  spreadTest: PermutationTest | null;
  /** TOST of 1/m ≤ σa/σb ≤ m; only for the comparison declared as "the same order". */
  equivalence: EquivalenceTest | null;
  /** churn(a) − churn(b), with a jackknife interval over each setting's runs. */
  churnDifference: Estimate;
  /** Permutation test over runs of |churn(a) − churn(b)|; null when both are exactly 0. */
  churnTest: PermutationTest | null;
  /** P(a run of a scores higher than a run of b), ties counting one half: descriptive. */
  probabilityAHigher: number | null;
  /** Holm-adjusted p-values of the two tests (over every p-value of the analysis). */
  holm: { spread: number | null; churn: number | null };
  /** Runs per setting a permutation test needs to reach α, when these runs cannot. */
  runsNeededForTest: number | null;
  /**
   * A pair no declared hypothesis or pool names (two settings outside the declared pairs, or
   * groups of one setting whose configs differ in one field): Holm-corrected among the
   * exploratory pairs only, apart from the declared ones.
   */
  exploratory: boolean;
  /** The config fields in which a and b differ: ["setting"] within a family. */
  differsIn: string[];
}

export type HypothesisVerdict =
  /** The test rejected its null at the Holm-adjusted level. */
  | "supported"
  /** The test could reach α but did not. */
  | "not shown"
  /** The design cannot reach α: no test was run. */
  | "too few runs to tell"
  /** Decided by bit identity, without a test. */
  | "exact";

/** One of the seed paper's claims, declared before looking at the data, and its outcome. */
export interface Hypothesis {
  id: string;
  familyKey: string;
  /** The claim, e.g. "ALGO and IMPL move accuracy by the same order (within 3×)". */
  claim: string;
  a: string;
  b: string;
  test: string;
  pValue: number | null;
  /** Holm-adjusted over every p-value of the analysis. */
  pHolm: number | null;
  verdict: HypothesisVerdict;
  /** The plain-words result, e.g. "IMPL's 3 runs are bit-identical: its std is exactly 0". */
  statement: string;
  /** Runs per setting at which the test could reach α (when it cannot now). */
  runsNeeded: number | null;
}

export interface AnalysisOptions {
  /** 1-based epoch; the latest by default. */
  epoch?: number | undefined;
  /** Labels for runs that carry none (the original's layout). */
  labelsFile?: string | undefined;
  /** Multi-label subgroup attributes, by name; default Male and Young where present. */
  subgroupAttributes?: string[] | undefined;
  /** Attribute names for multi-label runs that record none (the original's layout). */
  attributeNames?: string[] | undefined;
  seed?: number | undefined;
  /** Monte Carlo relabellings of a permutation test too large to enumerate. */
  resamples?: number | undefined;
  level?: number | undefined;
  topUnstable?: number | undefined;
}

/**
 * results.json's format; /2 added pools, /3 exact intervals, hypotheses and variance
 * accounting, /4 logit-scale intervals of fractions (`bounded`, `se`, per-class and FPR/FNR
 * mean intervals) and exploratory comparisons (`exploratory`, `differsIn`).
 */
export const ANALYSIS_FORMAT = "nnr-analysis/4";

/** One setting's line of a family's variance accounting (compare/variance-accounting.ts). */
export interface VarianceSource {
  /** "init + order" (ALGO), "implementation" (IMPL), "all of them" (ALGO+IMPL), … */
  source: string;
  group: string;
  setting: string;
  runs: number;
  /** Sample variance of accuracy over runs, χ² interval; exactly 0 for identical runs. */
  variance: Estimate;
  identicalRuns: GroupResult["identicalRuns"];
  /** Σ p_i(1 − p_i)/N²: what independent per-example errors would give. */
  independentErrors: number | null;
  /** variance / independentErrors, χ² interval (the prediction taken as known). */
  observedOverIndependent: Estimate | null;
}

/** Variance accounting for one family of settings, by noise source. */
export interface VarianceAccounting {
  familyKey: string;
  /** e.g. "smallcnn fashion-mnist". */
  family: string;
  sources: VarianceSource[];
  /**
   * p(1 − p)/N at the family's mean accuracy: the variance of accuracy from drawing another
   * test set of N examples, with its interval from p's normal interval over N examples.
   */
  testSetSampling: Estimate & { examples: number };
  /** P(a run of `a` scores higher than one of `b`), from every cross pair of runs. */
  higher: { a: string; b: string; probability: number; pairs: number }[];
}

export interface AnalysisResult {
  format: typeof ANALYSIS_FORMAT;
  dir: string;
  settings: {
    epoch: number | null;
    seed: number;
    resamples: number;
    level: number;
    subgroupAttributes: string[];
    /** α of the hypothesis tests (Holm over all of them); 1 − level. */
    alpha?: number;
    /** "The same order": within this factor. */
    equivalenceMargin?: number;
    attributeNames?: string[] | null;
  };
  groups: GroupResult[];
  comparisons: Comparison[];
  /** The declared hypotheses, Holm-corrected together. */
  hypotheses?: Hypothesis[];
  /** Per family of settings: variance by source (Bouthillier et al.) and Jordan's prediction. */
  varianceAccounting?: VarianceAccounting[];
  problems: Problem[];
  overhead: OverheadRow[] | null;
}

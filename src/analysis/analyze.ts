import { resolve } from "node:path";
import { UserError } from "../errors.js";
import { RandomStream } from "../random/stream.js";
import { type ComparisonOptions, compareGroups } from "./compare/compare.js";
import { applyHolm, declaredHypotheses } from "./compare/hypotheses.js";
import {
  type ComparedPair,
  familyPairs,
  oneFieldPairs,
  type PairableGroup,
} from "./compare/pairs.js";
import { varianceAccounting } from "./compare/variance-accounting.js";
import { analyzeGroup } from "./group/analyze-group.js";
import { churnMatrix } from "./metrics/classification.js";
import {
  ANALYSIS_FORMAT,
  type AnalysisOptions,
  type AnalysisResult,
  type Comparison,
  type GroupResult,
  type Hypothesis,
  type VarianceAccounting,
} from "./results/result-types.js";
import { distinguishLabels } from "./runs/config-fields.js";
import { discoverRuns } from "./runs/discover.js";
import { loadGroup } from "./runs/load-group.js";
import { readOverhead } from "./runs/overhead.js";
import { type Problem, type RunFolder, settingRank } from "./runs/types.js";

export const DEFAULTS = {
  seed: 0,
  /** Monte Carlo relabellings: the smallest p-value they can give is 1/10,000. */
  resamples: 9999,
  level: 0.95,
  subgroupAttributes: ["Male", "Young"],
  topUnstable: 20,
  /** "The same order": stds within a factor of 3 of each other. */
  equivalenceMargin: 3,
  /** Enumerate every relabelling up to this many (8 + 8 runs: 12,870). */
  maxExactRelabellings: 20_000,
};

function groupFolders(runs: readonly RunFolder[], problems: Problem[]): RunFolder[][] {
  const groups = new Map<string, RunFolder[]>();
  for (const run of runs) {
    const members = groups.get(run.descriptor.groupKey) ?? [];
    const first = members.find((member) => member.dataIdentity !== undefined);
    if (first && run.dataIdentity !== undefined && run.dataIdentity !== first.dataIdentity) {
      problems.push({
        path: run.dir,
        message: `read other data than ${first.dir} (the dataset files' SHA-256 in run.json differ); not pooled with its group: analyse it apart`,
        effect: "excluded",
      });
      continue;
    }
    members.push(run);
    groups.set(run.descriptor.groupKey, members);
  }
  return [...groups.values()].sort((x, y) => {
    const [a, b] = [x[0]!.descriptor, y[0]!.descriptor];
    if (a.familyKey !== b.familyKey) return a.familyKey < b.familyKey ? -1 : 1;
    return settingRank(a.setting) - settingRank(b.setting) || (a.label < b.label ? -1 : 1);
  });
}

/** The analysis's settings as results.json records them, every default filled in. */
interface Settings {
  epoch: number | null;
  seed: number;
  resamples: number;
  level: number;
  subgroupAttributes: string[];
  alpha: number;
  equivalenceMargin: number;
  attributeNames: string[] | null;
}

function settingsOf(options: AnalysisOptions): Settings {
  const level = options.level ?? DEFAULTS.level;
  return {
    epoch: options.epoch ?? null,
    seed: options.seed ?? DEFAULTS.seed,
    resamples: options.resamples ?? DEFAULTS.resamples,
    level,
    subgroupAttributes: options.subgroupAttributes ?? DEFAULTS.subgroupAttributes,
    // 1 − 0.95 is 0.050000000000000044 in binary; the level's own digits are the intent.
    alpha: Number((1 - level).toPrecision(12)),
    equivalenceMargin: DEFAULTS.equivalenceMargin,
    attributeNames: options.attributeNames ?? null,
  };
}

/** The run folders and overhead.csv under `dir`; a folder with neither is a user error. */
function readInputs(dir: string, options: AnalysisOptions) {
  const labelsFile = options.labelsFile === undefined ? undefined : resolve(options.labelsFile);
  const { runs, problems } = discoverRuns(dir, labelsFile);
  const overhead = readOverhead(dir, problems);
  if (runs.length === 0 && overhead === null) {
    const found =
      problems.length > 0 ? ` (${problems.length} unreadable: ${problems[0]!.message})` : "";
    throw new UserError(
      `${dir}: no run folders found${found}; expected folders with run.json or named logs_{model}_{dataset}_{setting}_{replicate}`,
    );
  }
  return { runs, problems, overhead };
}

/** Every group's metrics, with what the comparisons need of its runs. */
function analyseGroups(
  runs: RunFolder[],
  problems: Problem[],
  options: AnalysisOptions,
  settings: Settings,
): PairableGroup[] {
  distinguishLabels(runs);
  const analysed: PairableGroup[] = [];
  for (const folders of groupFolders(runs, problems)) {
    const data = loadGroup(folders, options.epoch, problems, options.attributeNames);
    if (data === undefined) continue;
    const predictions = data.runs.map((run) => run.predictions);
    const churn = churnMatrix(predictions);
    const result = analyzeGroup(data, churn, {
      level: settings.level,
      subgroupAttributes: settings.subgroupAttributes,
      topUnstable: options.topUnstable ?? DEFAULTS.topUnstable,
    });
    analysed.push({ result, churn, predictions, config: data.descriptor.config });
  }
  return analysed;
}

/** The relabellings a permutation test enumerates or draws. */
const permutationOf = (settings: Settings) => ({
  maxExact: DEFAULTS.maxExactRelabellings,
  draws: settings.resamples,
});

/** Compares one pair of groups with its own stream, named by the pair. */
function comparer(settings: Settings): (pair: ComparedPair) => Comparison {
  const { seed, level, alpha, equivalenceMargin } = settings;
  return (pair) => {
    const { a, b } = pair;
    const rng = RandomStream.named(seed, `${a.result.groupKey}|${b.result.groupKey}`);
    const comparisonOptions: ComparisonOptions = {
      ...permutationOf(settings),
      level,
      alpha,
      equivalenceMargin: pair.equivalence ? equivalenceMargin : null,
    };
    const made = compareGroups(a, b, rng, comparisonOptions);
    return { ...made, exploratory: pair.exploratory, differsIn: pair.differsIn };
  };
}

/** Every pair compared: within each family (with its variance accounting), then across. */
function compareAll(analysed: readonly PairableGroup[], settings: Settings) {
  const compare = comparer(settings);
  const comparisons: Comparison[] = [];
  const accounting: VarianceAccounting[] = [];
  const families = [...new Set(analysed.map(({ result }) => result.familyKey))];
  for (const familyKey of families) {
    const family = analysed.filter(({ result }) => result.familyKey === familyKey);
    const familyComparisons = familyPairs(family).map(compare);
    comparisons.push(...familyComparisons);
    const sources = varianceAccounting(
      family.map(({ result }) => result),
      familyComparisons.filter((comparison) => !comparison.exploratory),
      settings.level,
    );
    if (sources) accounting.push(sources);
  }
  comparisons.push(...oneFieldPairs(analysed).map(compare));
  return { comparisons, accounting };
}

/** The declared hypotheses, with Holm applied to them and to every comparison. */
function testHypotheses(
  groups: GroupResult[],
  comparisons: readonly Comparison[],
  settings: Settings,
): Hypothesis[] {
  const { alpha, equivalenceMargin } = settings;
  const confirmatory = comparisons.filter((comparison) => !comparison.exploratory);
  const hypotheses = declaredHypotheses(groups, confirmatory, {
    ...permutationOf(settings),
    alpha,
    equivalenceMargin,
  });
  // The declared hypotheses (and the pairs compared with them) as one Holm family, as before;
  // the exploratory pairs as another, so that looking further costs the claims nothing.
  applyHolm(hypotheses, confirmatory, alpha);
  applyHolm(
    [],
    comparisons.filter((comparison) => comparison.exploratory),
    alpha,
  );
  return hypotheses;
}

/**
 * Reads every run folder under `dir`, groups replicates, computes every metric with its
 * interval, compares every pair of settings within each family and the groups that differ
 * in one config field (compare/pairs.ts), tests the declared hypotheses (Holm over them and
 * the pairs they cover; the exploratory pairs apart) and accounts the variance by source.
 * Problems with the input are collected in `problems`; only a folder with no usable run at
 * all throws.
 */
export function analyzeExperiment(dir: string, options: AnalysisOptions = {}): AnalysisResult {
  const settings = settingsOf(options);
  const { runs, problems, overhead } = readInputs(dir, options);
  const analysed = analyseGroups(runs, problems, options, settings);
  const { comparisons, accounting } = compareAll(analysed, settings);
  const groups = analysed.map(({ result }) => result);
  const hypotheses = testHypotheses(groups, comparisons, settings);
  return {
    format: ANALYSIS_FORMAT,
    dir: resolve(dir),
    settings,
    groups,
    comparisons,
    hypotheses,
    varianceAccounting: accounting,
    problems,
    overhead,
  };
}

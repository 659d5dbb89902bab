import { resolve } from "node:path";
import { UserError } from "../errors.js";
import { RandomStream } from "../random/stream.js";
import { analyzeGroup } from "./analyze-group.js";
import { type ComparableGroup, type ComparisonOptions, compareGroups } from "./compare.js";
import { applyHolm, declaredHypotheses } from "./hypotheses.js";
import { churnMatrix } from "./metrics/classification.js";
import { readOverhead } from "./overhead.js";
import {
  ANALYSIS_FORMAT,
  type AnalysisOptions,
  type AnalysisResult,
  type Comparison,
} from "./result-types.js";
import { discoverRuns } from "./runs/discover.js";
import { loadGroup } from "./runs/load-group.js";
import { type Problem, type RunFolder, settingRank } from "./runs/types.js";
import { DECLARED_PAIRS, STANDARD_SETTINGS } from "./settings.js";
import { type VarianceAccounting, varianceAccounting } from "./variance-accounting.js";

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

/**
 * The pairs of a family that are compared: the declared ones (ALGO vs IMPL, ALGO+IMPL vs
 * ALGO, IMPL vs Control), and every pair with a setting outside the four (a pool).
 */
function comparedPairs(family: readonly ComparableGroup[]) {
  const pairs: { a: ComparableGroup; b: ComparableGroup; equivalence: boolean }[] = [];
  for (const [i, a] of family.entries()) {
    for (const b of family.slice(i + 1)) {
      const [sa, sb] = [a.result.setting, b.result.setting];
      const declared = DECLARED_PAIRS.find(
        (pair) => (pair.a === sa && pair.b === sb) || (pair.a === sb && pair.b === sa),
      );
      if (declared) {
        const [first, second] = declared.a === sa ? [a, b] : [b, a];
        pairs.push({ a: first, b: second, equivalence: declared.kind === "equivalence" });
      } else if (!STANDARD_SETTINGS.has(sa) || !STANDARD_SETTINGS.has(sb)) {
        pairs.push({ a, b, equivalence: false });
      }
    }
  }
  return pairs;
}

/**
 * Reads every run folder under `dir`, groups replicates, computes every metric with its
 * interval, compares the settings within each family, tests the declared hypotheses (Holm
 * over all tests) and accounts the variance by source. Problems with the input are collected
 * in `problems`; only a folder with no usable run at all throws.
 */
export function analyzeExperiment(dir: string, options: AnalysisOptions = {}): AnalysisResult {
  const seed = options.seed ?? DEFAULTS.seed;
  const resamples = options.resamples ?? DEFAULTS.resamples;
  const level = options.level ?? DEFAULTS.level;
  // 1 − 0.95 is 0.050000000000000044 in binary; the level's own digits are the intent.
  const alpha = Number((1 - level).toPrecision(12));
  const equivalenceMargin = DEFAULTS.equivalenceMargin;
  const subgroupAttributes = options.subgroupAttributes ?? DEFAULTS.subgroupAttributes;
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

  const analysed: ComparableGroup[] = [];
  for (const folders of groupFolders(runs, problems)) {
    const data = loadGroup(folders, options.epoch, problems, options.attributeNames);
    if (data === undefined) continue;
    const predictions = data.runs.map((run) => run.predictions);
    const churn = churnMatrix(predictions);
    const result = analyzeGroup(data, churn, {
      level,
      subgroupAttributes,
      topUnstable: options.topUnstable ?? DEFAULTS.topUnstable,
    });
    analysed.push({ result, churn, predictions });
  }

  const permutation = { maxExact: DEFAULTS.maxExactRelabellings, draws: resamples };
  const comparisons: Comparison[] = [];
  const accounting: VarianceAccounting[] = [];
  const families = [...new Set(analysed.map(({ result }) => result.familyKey))];
  for (const familyKey of families) {
    const family = analysed.filter(({ result }) => result.familyKey === familyKey);
    const familyComparisons = comparedPairs(family).map(({ a, b, equivalence }) => {
      const rng = RandomStream.named(seed, `${a.result.groupKey}|${b.result.groupKey}`);
      const comparisonOptions: ComparisonOptions = {
        ...permutation,
        level,
        alpha,
        equivalenceMargin: equivalence ? equivalenceMargin : null,
      };
      return compareGroups(a, b, rng, comparisonOptions);
    });
    comparisons.push(...familyComparisons);
    const sources = varianceAccounting(
      family.map(({ result }) => result),
      familyComparisons,
      level,
    );
    if (sources) accounting.push(sources);
  }
  const groups = analysed.map(({ result }) => result);
  const hypotheses = declaredHypotheses(groups, comparisons, {
    ...permutation,
    alpha,
    equivalenceMargin,
  });
  applyHolm(hypotheses, comparisons, alpha);

  return {
    format: ANALYSIS_FORMAT,
    dir: resolve(dir),
    settings: {
      epoch: options.epoch ?? null,
      seed,
      resamples,
      level,
      subgroupAttributes,
      alpha,
      equivalenceMargin,
      attributeNames: options.attributeNames ?? null,
    },
    groups,
    comparisons,
    hypotheses,
    varianceAccounting: accounting,
    problems,
    overhead,
  };
}

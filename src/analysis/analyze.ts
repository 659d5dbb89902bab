import { resolve } from "node:path";
import { UserError } from "../errors.js";
import { analyzeGroup } from "./analyze-group.js";
import { type ComparableGroup, compareGroups } from "./compare.js";
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
import { type RunFolder, settingRank } from "./runs/types.js";
import { rngFor } from "./seeding.js";

export const DEFAULTS = {
  seed: 0,
  resamples: 1000,
  level: 0.95,
  subgroupAttributes: ["Male", "Young"],
  topUnstable: 20,
};

function groupFolders(runs: readonly RunFolder[]): RunFolder[][] {
  const groups = new Map<string, RunFolder[]>();
  for (const run of runs) {
    const members = groups.get(run.descriptor.groupKey) ?? [];
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
 * Reads every run folder under `dir`, groups replicates, computes every metric with
 * seeded intervals, and compares the settings within each family. Problems with the
 * input are collected in `problems`; only a folder with no usable run at all throws.
 */
export function analyzeExperiment(dir: string, options: AnalysisOptions = {}): AnalysisResult {
  const seed = options.seed ?? DEFAULTS.seed;
  const bootstrap = {
    resamples: options.resamples ?? DEFAULTS.resamples,
    level: options.level ?? DEFAULTS.level,
  };
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
  for (const folders of groupFolders(runs)) {
    const data = loadGroup(folders, options.epoch, problems);
    if (data === undefined) continue;
    const rng = rngFor(seed, data.descriptor.groupKey);
    const churn = churnMatrix(data.runs.map((run) => run.predictions));
    const result = analyzeGroup(data, churn, rng, {
      ...bootstrap,
      subgroupAttributes,
      topUnstable: options.topUnstable ?? DEFAULTS.topUnstable,
    });
    analysed.push({ result, churn });
  }

  const comparisons: Comparison[] = [];
  for (const [i, a] of analysed.entries()) {
    for (const b of analysed.slice(i + 1)) {
      if (a.result.familyKey !== b.result.familyKey) continue;
      const rng = rngFor(seed, `${a.result.groupKey}|${b.result.groupKey}`);
      comparisons.push(compareGroups(a, b, rng, bootstrap));
    }
  }

  return {
    format: ANALYSIS_FORMAT,
    dir: resolve(dir),
    settings: { epoch: options.epoch ?? null, seed, ...bootstrap, subgroupAttributes },
    groups: analysed.map(({ result }) => result),
    comparisons,
    problems,
    overhead,
  };
}

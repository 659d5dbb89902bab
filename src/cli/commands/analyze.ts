import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import pc from "picocolors";
import {
  type AnalysisOptions,
  type AnalysisResult,
  analyzeAsOriginal,
  analyzeExperiment,
  asOriginalTable,
  DEFAULTS,
  summaryTable,
  writeResults,
} from "../../analysis/index.js";
import { UserError } from "../../errors.js";
import { writeFileAtomicSync } from "../../io/atomic.js";
import { integerAtLeast } from "../flags/parse.js";
import type { RegisterCommand } from "./index.js";

function level(text: string): number {
  const value = Number(text);
  if (!(value > 0 && value < 1))
    throw new UserError(`--level ${text}: expected a number between 0 and 1, e.g. 0.95`);
  return value;
}

/** The flags `nnr analyze` and `nnr report` share. */
/** The flags of withAnalysisOptions, as commander hands them to the action. */
export interface AnalysisFlags {
  epoch?: number | undefined;
  labels?: string | undefined;
  subgroup: string;
  attributeNames?: string | undefined;
  seed: number;
  resamples: number;
  level: number;
  out?: string | undefined;
}

// Plain commander types: the inferred option types of extra-typings, chained on a generic
// command, made the type checker run for minutes.
export function withAnalysisOptions(command: Command): Command {
  return command
    .option(
      "--epoch <n>",
      "analyse epoch N as the files number it (nnr: epochs completed; the original: Keras's 0-based index; default: the largest)",
      integerAtLeast("--epoch", 0),
    )
    .option("--labels <file>", "test labels for runs that carry none (the original's layout)")
    .option(
      "--subgroup <names>",
      "multi-label subgroup attributes, comma-separated",
      DEFAULTS.subgroupAttributes.join(","),
    )
    .option(
      "--attribute-names <names|file>",
      "attribute names of multi-label runs that record none (the original's layout): comma-separated, or a file of names",
    )
    .option(
      "--seed <n>",
      "seed of the Monte Carlo permutation tests",
      integerAtLeast("--seed", 0),
      DEFAULTS.seed,
    )
    .option(
      "--resamples <n>",
      "Monte Carlo relabellings of a permutation test too large to enumerate",
      integerAtLeast("--resamples", 10),
      DEFAULTS.resamples,
    )
    .option("--level <p>", "coverage of the intervals", level, DEFAULTS.level)
    .option("--out <dir>", "where to write the outputs (default: DIR)");
}

/** Names from a comma-separated list, or from a file (one per line, or separated by spaces). */
function attributeNames(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const source = existsSync(text) ? readFileSync(text, "utf8") : text;
  const names = source.split(/[\s,]+/).filter((name) => name.length > 0);
  if (names.length === 0) throw new UserError(`--attribute-names ${text}: no names given`);
  return names;
}

export function analysisOptions(flags: AnalysisFlags): AnalysisOptions {
  return {
    attributeNames: attributeNames(flags.attributeNames),
    epoch: flags.epoch,
    labelsFile: flags.labels,
    subgroupAttributes: flags.subgroup
      .split(",")
      .map((name) => name.trim())
      .filter((name) => name.length > 0),
    seed: flags.seed,
    resamples: flags.resamples,
    level: flags.level,
  };
}

export function printProblems(result: AnalysisResult): void {
  for (const problem of result.problems) {
    console.warn(pc.yellow(`${problem.effect}: ${problem.path}: ${problem.message}`));
  }
  for (const group of result.groups) {
    for (const note of group.notes) console.warn(pc.dim(`note: ${group.label}: ${note}`));
  }
}

export const registerAnalyze: RegisterCommand = (program) => {
  withAnalysisOptions(
    program
      .command("analyze")
      .description(
        "measure the spread between runs: accuracy, churn, L2, per-class, instability, subgroups",
      )
      .argument("<dir>", "experiment folder holding run folders")
      .option(
        "--as-original",
        "also show what the original's analysis would have printed (its churn = agreement, FNR over negatives, last file by name); writes as-original.json",
      ),
  ).action((dir: string, flags: AnalysisFlags & { asOriginal?: boolean }) => {
    if (flags.labels !== undefined && !existsSync(flags.labels)) {
      throw new UserError(`--labels ${flags.labels}: no such file`);
    }
    const result = analyzeExperiment(dir, analysisOptions(flags));
    const written = writeResults(result, flags.out ?? dir);
    console.log(summaryTable(result));
    printProblems(result);
    console.log(`wrote ${written.csv} and ${written.json}`);
    if (flags.asOriginal) {
      const { groups } = analyzeAsOriginal(dir, flags.labels);
      const path = join(flags.out ?? dir, "as-original.json");
      writeFileAtomicSync(path, `${JSON.stringify(groups, null, 2)}\n`);
      console.log(asOriginalTable(groups));
      console.log(`wrote ${path}`);
    }
  });
};

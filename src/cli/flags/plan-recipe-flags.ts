/**
 * `experiment run --model FILE.onnx --optimizer adam --lr 0.003 --batch-size 64`: the recipe an
 * imported model lacks, given to every run of a preset or plan. Each flag parses and lands as
 * `train`'s flag of the same name does (config-flags.ts), so the two never disagree.
 */
import type { Command } from "commander";
import { CONFIG_FLAGS, longName } from "./config-flags.js";

const RECIPE_FLAG_NAMES = { optimizer: "--optimizer", lr: "--lr", batchSize: "--batch-size" };
type RecipeFlag = keyof typeof RECIPE_FLAG_NAMES;

function row(name: string) {
  return CONFIG_FLAGS.find((flag) => longName(flag) === name)!;
}

/** Each recipe flag's parser, as commander takes it. */
const RECIPE_FLAGS = Object.fromEntries(
  Object.entries(RECIPE_FLAG_NAMES).map(([key, name]) => [
    key,
    (text: string) => row(name).parse!(text),
  ]),
) as Record<RecipeFlag, (text: string) => never>;

/** The plan-base fields the given recipe flags set, by their plan path ("optimizer.lr"). */
export function recipeOverrides(
  flags: Partial<Record<RecipeFlag, unknown>>,
): Record<string, unknown> {
  const base: Record<string, unknown> = {};
  for (const [key, name] of Object.entries(RECIPE_FLAG_NAMES)) {
    const value = flags[key as RecipeFlag];
    if (value !== undefined) base[row(name).fields[0]!] = value;
  }
  return base;
}

/** `--model` and the recipe flags, on `experiment run`. */
export function addRecipeOptions(command: Command): Command {
  return command
    .option(
      "--model <name>",
      "train this model in every grid, e.g. your .onnx file (with --optimizer, --lr, --batch-size)",
    )
    .option(
      "--optimizer <name>",
      "every run's optimizer (adam or sgd): an imported model's recipe",
      RECIPE_FLAGS.optimizer,
    )
    .option("--lr <x>", "every run's learning rate", RECIPE_FLAGS.lr)
    .option("--batch-size <n>", "every run's batch size", RECIPE_FLAGS.batchSize);
}

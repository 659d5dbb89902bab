/**
 * What every layer needs to know about a model, carried by the model itself: its options, its
 * recipe, its input limits, its default layout and its place in the overhead study. Training,
 * plans, the CLI's flags and the overhead study read these facts; none of them compares model
 * names. A zoo model's descriptor sits in its own file in src/nn/models/; a model read from a
 * file at run time supplies one with options and limits but no recipe, and a run of it asks
 * for the hyper-parameters a recipe would have given (model-recipe.ts).
 */
import { UserError } from "../errors.js";

export const SCHEDULE_NAMES = [
  "constant",
  "linear-decay",
  "smallcnn",
  "resnet18-cifar",
  "celeba",
  "resnet50-imagenet",
] as const;
export type ScheduleName = (typeof SCHEDULE_NAMES)[number];

/** The input pipelines a recipe names (their transforms: src/data/registry.ts's PIPELINES). */
export type PipelineName = "scale" | "standardize" | "cifarAugmentStandardize";

export type MemoryFormatName = "contiguous" | "channels_last";
export type HeadName = "softmax" | "sigmoid";

export interface RecipeOptimizer {
  name: "adam" | "sgd";
  lr: number;
  momentum: number;
  nesterov: boolean;
  /** L2 weight decay, added to the gradient (PyTorch's `weight_decay`). */
  weightDecay: number;
}

export type Shuffle = { kind: "permutation" } | { kind: "buffer"; size: number } | { kind: "none" };

/** The training setup the original used for a model: every hyper-parameter of a run. */
export interface Recipe {
  epochs: number;
  batchSize: number;
  optimizer: RecipeOptimizer;
  schedule: ScheduleName;
  labelSmoothing: number;
  /** The input pipeline, augmentation included. */
  pipeline: PipelineName;
  shuffle: Shuffle;
  head: HeadName;
}

/** A model's recipes: one for every dataset, and where the original differed, per dataset. */
export interface RecipeTable {
  default: Recipe;
  /** Keyed by dataset name (src/data/dataset-names.ts). */
  datasets?: Readonly<Record<string, Recipe>>;
}

export interface ModelOptionsDescriptor {
  /** A BatchNorm switch (`--bn`, config.batchNorm); a model without it never has BatchNorm off. */
  batchNormSwitch?: {
    /** Whether the BatchNorm momentum (config.batchNormMomentum) applies with it on. */
    momentum: boolean;
  };
  /** A square convolution kernel size (`--kernel-size`, config.kernelSize), and its default. */
  kernelSize?: { default: number };
}

/** Where a model sits in the overhead study (`nnr overhead`), as the original listed it. */
export interface OverheadDescriptor {
  /** Position in the original's list: the study measures its models in this order. */
  order: number;
  /** Kernel sizes measured, one study model each (labelled NAME-kN), for a kernelSize model. */
  kernelSizes?: readonly number[];
}

export interface ModelDescriptor {
  /** As runs record it (config.model) and users type it, e.g. "smallcnn". */
  name: string;
  /** As messages and reports write it, e.g. "SmallCNN". */
  displayName: string;
  description: string;
  options: ModelOptionsDescriptor;
  /** Absent for a model without a known training setup: a run names every hyper-parameter. */
  recipe?: RecipeTable;
  /** Its smallest input height and width, where pooling or strides set one. */
  input: { minSize?: number };
  /** The layout it trains in unless told, per device kind; absent: contiguous. */
  layout?: { cpu?: MemoryFormatName; cuda?: MemoryFormatName };
  /** Absent: not in the overhead study's default list. */
  overhead?: OverheadDescriptor;
}

/** The recipe for a dataset, or null where the model has none. */
export function recipeOf(model: ModelDescriptor, dataset: string): Recipe | null {
  if (model.recipe === undefined) return null;
  return model.recipe.datasets?.[dataset] ?? model.recipe.default;
}

/**
 * The layout a model trains in unless told. Runs record it (run.json's config) and replays
 * keep it, so a model's default changes only with a measurement (the descriptor says which).
 */
export function defaultMemoryFormat(model: ModelDescriptor, device: string): MemoryFormatName {
  const kind = device.startsWith("cuda") ? "cuda" : "cpu";
  return model.layout?.[kind] ?? "contiguous";
}

/** Throws an Error naming the model when an input is below its smallest size. */
export function checkInputSize(model: ModelDescriptor, height: number, width: number): void {
  const min = model.input.minSize;
  if (min !== undefined && (height < min || width < min)) {
    throw new Error(`${model.name}: input ${height}×${width} is too small (needs ≥ ${min}×${min})`);
  }
}

/** A kernelSize model's size: the given one, or its default; null for a model without one. */
export function kernelSizeOf(model: ModelDescriptor, requested?: number): number | null {
  return model.options.kernelSize === undefined
    ? null
    : (requested ?? model.options.kernelSize.default);
}

/**
 * The part of a group's name the model's options make, e.g. `mediumcnn5` or `smallcnn_bn`:
 * the kernel size where the model takes one, "bn" where its BatchNorm switch is on.
 */
export function modelGroupName(
  model: ModelDescriptor,
  options: { batchNorm: boolean; kernelSize: number | null },
): string {
  const name = model.options.kernelSize ? `${model.name}${options.kernelSize}` : model.name;
  return model.options.batchNormSwitch && options.batchNorm ? `${name}_bn` : name;
}

/** The models of a list that have an option. */
function modelsWith(models: readonly ModelDescriptor[], option: "batchNorm" | "kernelSize") {
  return models.filter((m) =>
    option === "batchNorm" ? m.options.batchNormSwitch : m.options.kernelSize,
  );
}

/**
 * Throws a one-line UserError when the model lacks an option a user gave; `flag` names the
 * option as given, `zoo` the models that a user could pick instead.
 */
export function refuseMissingOption(
  model: ModelDescriptor,
  option: "batchNorm" | "kernelSize",
  flag: string,
  zoo: readonly ModelDescriptor[],
): void {
  if (modelsWith([model], option).length > 0) return;
  const owners = modelsWith(zoo, option)
    .map((m) => m.name)
    .join(", ");
  throw new UserError(
    option === "batchNorm"
      ? `${flag}: only ${owners} has a BatchNorm switch (${model.name} has none); drop ${flag}`
      : `${flag}: only ${owners} takes a kernel size (not ${model.name}); drop ${flag}`,
  );
}

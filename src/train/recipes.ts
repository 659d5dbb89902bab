/**
 * A run's full config from a partial request: what the request leaves out comes from the
 * model's recipe (its descriptor, src/nn/models/), and a model without one must be told.
 * `resolveRunConfig` turns a partial request into a full RunConfig.
 */

import {
  defaultMemoryFormat,
  kernelSizeOf,
  type ModelDescriptor,
  type Recipe,
  recipeOf,
} from "../contract/model-descriptor.js";
import {
  type DeterministicSources,
  perSeededSource,
  SETTINGS,
  type SettingName,
  settingOf,
} from "../contract/noise-sources.js";
import { dataOptionsRefusal } from "../data/data-options.js";
import { PIPELINES } from "../data/registry.js";
import { UserError } from "../errors.js";
import { findModelDescriptor, modelNames, zooDescriptors } from "../nn/models/index.js";
import { originalSaveEpochs, type RunConfig, runConfigSchema } from "./config.js";
import {
  importedModelDescriptor,
  initRuleOf,
  isOnnxModelPath,
  modelFileSha256,
} from "./imported-model.js";
import { precisionRefusal } from "./precision.js";

/** What a user or a plan may specify; everything else comes from the recipe. */
export type RunRequest = Partial<
  Omit<RunConfig, "optimizer" | "deterministic" | "fixedSeeds" | "setting" | "syncBatchNorm">
> & {
  /** false is the default (per-rank BatchNorm) and leaves the config without the field. */
  syncBatchNorm?: boolean;
  optimizer?: Partial<RunConfig["optimizer"]>;
  /** Shorthand for the three switches; individual switches below override it. */
  setting?: SettingName;
  deterministic?: Partial<DeterministicSources>;
  fixedSeeds?: Partial<RunConfig["fixedSeeds"]>;
};

/**
 * The full config of a request. The model is a zoo model by name, or `descriptor` for one
 * from elsewhere (a model read from a file), whose facts stand in for the zoo's.
 */
export function resolveRunConfig(request: RunRequest, descriptor?: ModelDescriptor): RunConfig {
  const name = request.model ?? "smallcnn";
  const model =
    descriptor ?? (isOnnxModelPath(name) ? importedModelDescriptor(name) : zooModel(name));
  const dataset = request.dataset ?? "fashion-mnist";
  const recipe = recipeOf(model, dataset) ?? recipeFromRequest(model, request);
  const config = configOf(request, model, recipe);
  checkModelOptions(config, model);
  // An imported model's file is read and checked now: a bad file is refused before any run.
  if (isOnnxModelPath(model.name)) {
    config.modelSha256 = request.modelSha256 ?? modelFileSha256(model.name);
  }
  const parsed = runConfigSchema.safeParse(config);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(
      `invalid run config: ${issue.path.join(".") || "(root)"}: ${issue.message}`,
    );
  }
  const precisionProblem = precisionRefusal(config.precision, config.tf32, config.device);
  if (precisionProblem !== null) throw new UserError(precisionProblem);
  if (config.deterministic.impl && config.cudnnBenchmark) {
    throw new UserError(
      "--cudnn-benchmark cannot be used with deterministic kernels (impl); drop one",
    );
  }
  return parsed.data;
}

function zooModel(name: string): ModelDescriptor {
  const model = findModelDescriptor(name);
  if (model === undefined) {
    throw new UserError(`unknown model '${name}'; choose one of ${modelNames().join(", ")}`);
  }
  return model;
}

/** The hyper-parameters a recipe gives, each with its flag and its field in a plan. */
const RECIPE_ESSENTIALS = [
  { flag: "--epochs", field: "epochs", given: (r: RunRequest) => r.epochs },
  { flag: "--batch-size", field: "batchSize", given: (r: RunRequest) => r.batchSize },
  { flag: "--optimizer", field: "optimizer.name", given: (r: RunRequest) => r.optimizer?.name },
  { flag: "--lr", field: "optimizer.lr", given: (r: RunRequest) => r.optimizer?.lr },
] as const;

/**
 * A model without a recipe trains with the hyper-parameters the request names, never with
 * another model's: the essential ones must be given; the rest default to the plainest choice
 * (constant rate, no momentum or decay, no label smoothing, inputs scaled to [0, 1] without
 * augmentation, a fresh permutation every epoch, a softmax head).
 */
function recipeFromRequest(model: ModelDescriptor, request: RunRequest): Recipe {
  const missing = RECIPE_ESSENTIALS.filter((essential) => essential.given(request) === undefined);
  if (missing.length > 0) {
    throw new UserError(
      `model ${model.name} has no recipe: give ${missing.map((m) => m.flag).join(", ")} (in a plan: ${missing.map((m) => m.field).join(", ")})`,
    );
  }
  return {
    epochs: request.epochs!,
    batchSize: request.batchSize!,
    optimizer: {
      name: request.optimizer!.name!,
      lr: request.optimizer!.lr!,
      momentum: 0,
      nesterov: false,
      weightDecay: 0,
    },
    schedule: "constant",
    labelSmoothing: 0,
    pipeline: "scale",
    shuffle: { kind: "permutation" },
    head: "softmax",
  };
}

/** The request's values, and the recipe's where it has none. */
function configOf(request: RunRequest, model: ModelDescriptor, recipe: Recipe): RunConfig {
  const deterministic = { ...SETTINGS[request.setting ?? "control"], ...request.deterministic };
  const epochs = request.epochs ?? recipe.epochs;
  const device = request.device ?? "cpu";
  const init = initRuleOf(model.name, request.init);
  return {
    model: model.name,
    ...(init === undefined ? {} : { init }),
    batchNorm: request.batchNorm ?? false,
    batchNormMomentum: request.batchNormMomentum ?? null,
    kernelSize: kernelSizeOf(model, request.kernelSize ?? undefined),
    head: request.head ?? recipe.head,
    dataset: request.dataset ?? "fashion-mnist",
    dataDir: request.dataDir ?? null,
    ...(request.dataOptions !== undefined && Object.keys(request.dataOptions).length > 0
      ? { dataOptions: request.dataOptions }
      : {}),
    trainExamples: request.trainExamples ?? null,
    testExamples: request.testExamples ?? null,
    epochs,
    batchSize: request.batchSize ?? recipe.batchSize,
    optimizer: { ...recipe.optimizer, ...request.optimizer },
    schedule: request.schedule ?? recipe.schedule,
    labelSmoothing: request.labelSmoothing ?? recipe.labelSmoothing,
    transforms: request.transforms ?? [...PIPELINES[recipe.pipeline]],
    shuffle: request.shuffle ?? recipe.shuffle,
    dropRemainder: request.dropRemainder ?? false,
    setting: settingOf(deterministic),
    deterministic,
    fixedSeeds: { ...perSeededSource(() => 0), ...request.fixedSeeds },
    perturbInitUlp: request.perturbInitUlp ?? false,
    threads: request.threads ?? 1,
    device,
    memoryFormat: request.memoryFormat ?? defaultMemoryFormat(model, device),
    layoutStrides: request.layoutStrides ?? "canonical",
    cpuCapability: request.cpuCapability ?? "auto",
    cudnnBenchmark: request.cudnnBenchmark ?? false,
    precision: request.precision ?? "fp32",
    tf32: request.tf32 ?? false,
    saveEpochs: (request.saveEpochs ?? originalSaveEpochs(epochs)).filter((e) => e <= epochs),
    trace: request.trace ?? false,
    ...(request.layout === "original" ? { layout: "original" as const } : {}),
    ...(request.kernelL2 ? { kernelL2: request.kernelL2 } : {}),
    ...(request.worldSize !== undefined && request.worldSize > 1
      ? { worldSize: request.worldSize }
      : {}),
    ...(request.syncBatchNorm ? { syncBatchNorm: true as const } : {}),
  };
}

/** Refuses data options a built-in dataset does not take, and BatchNorm settings the model would not use. */
function checkModelOptions(config: RunConfig, model: ModelDescriptor): void {
  const dataProblem = dataOptionsRefusal(config.dataset, config.dataOptions);
  if (dataProblem !== null) throw new UserError(dataProblem);
  const syncProblem = syncBatchNormRefusal(config, model);
  if (syncProblem !== null) throw new UserError(syncProblem);
  if (
    config.batchNormMomentum !== null &&
    !(model.options.batchNormSwitch?.momentum && config.batchNorm)
  ) {
    const owners = zooDescriptors()
      .filter((m) => m.options.batchNormSwitch?.momentum)
      .map((m) => m.displayName)
      .join(", ");
    throw new UserError(
      `invalid run config: batchNormMomentum: only ${owners} with batchNorm has it; set batchNorm: true or drop it`,
    );
  }
}

/**
 * Synchronised BatchNorm is refused where it would change nothing: in one process (PyTorch's
 * SyncBatchNorm is plain BatchNorm there, and a config saying otherwise would split a group
 * of identical runs in two) and on a model without BatchNorm.
 */
function syncBatchNormRefusal(config: RunConfig, model: ModelDescriptor): string | null {
  if (!config.syncBatchNorm) return null;
  if ((config.worldSize ?? 1) === 1) {
    return "--sync-batchnorm (syncBatchNorm) synchronises BatchNorm across data-parallel processes; add --nproc 2 or more (worldSize), or drop it";
  }
  if (model.options.batchNormSwitch && !config.batchNorm) {
    return `--sync-batchnorm (syncBatchNorm): this ${model.displayName} has no BatchNorm; add --bn (batchNorm: true), or drop it`;
  }
  return null;
}

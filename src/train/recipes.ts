/**
 * The training setups of the original experiments (../shared/REFERENCE.md), as defaults that
 * any flag can override. `resolveRunConfig` turns a partial request into a full RunConfig.
 */

import type { DatasetName } from "../data/registry.js";
import { PIPELINES } from "../data/registry.js";
import { UserError } from "../errors.js";
import { modelNames } from "../nn/models/names.js";
import { originalSaveEpochs, type RunConfig, runConfigSchema } from "./config.js";
import { checkOnnxRequest, isOnnxModelPath, modelFileSha256 } from "./imported-model.js";
import { precisionRefusal } from "./precision.js";
import { type DeterministicSources, SETTINGS, type SettingName, settingOf } from "./settings.js";

type Recipe = Pick<
  RunConfig,
  | "epochs"
  | "batchSize"
  | "optimizer"
  | "schedule"
  | "labelSmoothing"
  | "transforms"
  | "shuffle"
  | "head"
>;

const adam = (lr: number): RunConfig["optimizer"] => ({
  name: "adam",
  lr,
  momentum: 0,
  nesterov: false,
  weightDecay: 0,
});

/** SmallCNN's setup (the original's smallcnn.py); the other recipes say how they differ. */
const SMALLCNN: Recipe = {
  epochs: 200,
  batchSize: 128,
  optimizer: adam(4e-4),
  schedule: "smallcnn",
  labelSmoothing: 0,
  transforms: [...PIPELINES.scale],
  shuffle: { kind: "buffer", size: 1024 },
  head: "softmax",
};

/** The recipe the original used for a model on a dataset. */
export function recipeFor(model: string, dataset: DatasetName): Recipe {
  // An imported model: no schedule of its own; optimizer, lr, batch size, epochs are required.
  if (isOnnxModelPath(model)) return { ...SMALLCNN, schedule: "constant" };
  if (model === "resnet18" && dataset === "celeba") {
    return {
      ...SMALLCNN,
      epochs: 10,
      optimizer: adam(1e-3),
      schedule: "celeba",
      transforms: [...PIPELINES.standardize],
      shuffle: { kind: "buffer", size: 1000 },
      head: "sigmoid",
    };
  }
  if (model === "resnet18") {
    const augment = dataset === "cifar10" || dataset === "cifar100";
    return {
      ...SMALLCNN,
      schedule: "resnet18-cifar",
      transforms: augment ? [...PIPELINES.cifarAugmentStandardize] : [...PIPELINES.standardize],
      shuffle: { kind: "buffer", size: 10000 },
    };
  }
  if (model === "resnet50" || model === "resnet152" || model === "vgg16" || model === "vgg19") {
    return {
      ...SMALLCNN,
      epochs: 90,
      batchSize: 256,
      optimizer: { name: "sgd", lr: 0.1, momentum: 0.9, nesterov: false, weightDecay: 1e-4 },
      schedule: "resnet50-imagenet",
      labelSmoothing: 0.1,
      transforms: [...PIPELINES.standardize],
      shuffle: { kind: "buffer", size: 10000 },
    };
  }
  if (model === "mediumcnn") {
    return { ...SMALLCNN, epochs: 10, optimizer: adam(1e-3), schedule: "constant" };
  }
  // SmallCNN, and the default for the rest of the zoo.
  return { ...SMALLCNN, transforms: [...SMALLCNN.transforms] };
}

/**
 * The layout a model trains in unless told: channels_last where it was measured faster, since
 * runs record it (run.json's config) and replays keep it. SmallCNN on CPU: a training step
 * 1.4× as fast on Fashion-MNIST and on CIFAR-shaped images (`npx tsx
 * bench/training-throughput.ts --input 1,28,28`). ResNet18 is faster contiguous, and the
 * rest were not measured; on CUDA nothing was, so contiguous stays PyTorch's default there.
 */
export function defaultMemoryFormat(model: string, device: string): RunConfig["memoryFormat"] {
  return model === "smallcnn" && device === "cpu" ? "channels_last" : "contiguous";
}

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

export function resolveRunConfig(request: RunRequest): RunConfig {
  const model = request.model ?? "smallcnn";
  const imported = isOnnxModelPath(model);
  if (imported) checkOnnxRequest(model, request);
  if (!modelNames().includes(model) && !imported) {
    throw new UserError(`unknown model '${model}'; choose one of ${modelNames().join(", ")}`);
  }
  const dataset = request.dataset ?? "fashion-mnist";
  const recipe = recipeFor(model, dataset);
  const base = SETTINGS[request.setting ?? "control"];
  const deterministic = { ...base, ...request.deterministic };
  const epochs = request.epochs ?? recipe.epochs;
  const config: RunConfig = {
    model,
    ...(imported ? { modelSha256: request.modelSha256 ?? modelFileSha256(model) } : {}),
    batchNorm: request.batchNorm ?? false,
    batchNormMomentum: request.batchNormMomentum ?? null,
    kernelSize: model === "mediumcnn" ? (request.kernelSize ?? 3) : null,
    head: request.head ?? recipe.head,
    dataset,
    dataDir: request.dataDir ?? null,
    trainExamples: request.trainExamples ?? null,
    testExamples: request.testExamples ?? null,
    epochs,
    batchSize: request.batchSize ?? recipe.batchSize,
    optimizer: { ...recipe.optimizer, ...request.optimizer },
    schedule: request.schedule ?? recipe.schedule,
    labelSmoothing: request.labelSmoothing ?? recipe.labelSmoothing,
    transforms: request.transforms ?? recipe.transforms,
    shuffle: request.shuffle ?? recipe.shuffle,
    dropRemainder: request.dropRemainder ?? false,
    setting: settingOf(deterministic),
    deterministic,
    fixedSeeds: { init: 0, input: 0, ...request.fixedSeeds },
    perturbInitUlp: request.perturbInitUlp ?? false,
    threads: request.threads ?? 1,
    device: request.device ?? "cpu",
    memoryFormat: request.memoryFormat ?? defaultMemoryFormat(model, request.device ?? "cpu"),
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
  const syncProblem = syncBatchNormRefusal(config);
  if (syncProblem !== null) throw new UserError(syncProblem);
  if (config.batchNormMomentum !== null && !(config.model === "smallcnn" && config.batchNorm)) {
    throw new UserError(
      "invalid run config: batchNormMomentum: only SmallCNN with batchNorm has it; set batchNorm: true or drop it",
    );
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

/**
 * Synchronised BatchNorm is refused where it would change nothing: in one process (PyTorch's
 * SyncBatchNorm is plain BatchNorm there, and a config saying otherwise would split a group
 * of identical runs in two) and on a model without BatchNorm.
 */
function syncBatchNormRefusal(config: RunConfig): string | null {
  if (!config.syncBatchNorm) return null;
  if ((config.worldSize ?? 1) === 1) {
    return "--sync-batchnorm (syncBatchNorm) synchronises BatchNorm across data-parallel processes; add --nproc 2 or more (worldSize), or drop it";
  }
  if (config.model === "smallcnn" && !config.batchNorm) {
    return "--sync-batchnorm (syncBatchNorm): this SmallCNN has no BatchNorm; add --bn (batchNorm: true), or drop it";
  }
  return null;
}

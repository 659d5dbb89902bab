/**
 * A run's fully resolved configuration: every default filled in, so a run folder says exactly
 * what ran. Seeds are not part of it (they are drawn per run and recorded beside it), nor is
 * the replicate number: runs that differ only in those belong to one group.
 */
import { basename } from "node:path";
import { z } from "zod";
import { modelGroupName, SCHEDULE_NAMES } from "../contract/model-descriptor.js";
import { NOISE_SOURCE_NAMES, SEEDED_SOURCES, SETTING_NAMES } from "../contract/noise-sources.js";
import { dataOptionsSchema } from "../data/data-options.js";
import { DATASET_NAMES } from "../data/dataset-names.js";
import { transformSpecSchema } from "../data/transforms.js";
import { CPU_CAPABILITIES } from "../engine/cpu-kernels.js";
import { findModelDescriptor } from "../nn/models/index.js";
import { INIT_RULES } from "../onnx/init-rules.js";
import { PRECISIONS } from "./precision.js";

const positiveInt = z.number().int().positive();

/** An object schema with one field of the same type per name, in the names' order. */
function fieldPerName<N extends string, T extends z.ZodType>(names: readonly N[], field: T) {
  return Object.fromEntries(names.map((name) => [name, field])) as Record<N, T>;
}

export const runConfigSchema = z
  .object({
    model: z.string().min(1),
    /** An imported model (model is an .onnx path): the file's SHA-256, so runs of two files never pool. */
    modelSha256: z
      .string()
      .regex(/^[0-9a-f]{64}$/)
      .optional(),
    /**
     * An imported model's initial weights (onnx/init-rules.ts): the file's, or drawn by
     * PyTorch's or Keras's default rule. Absent for zoo models, and in an imported model's
     * config recorded before it (which kept the file's).
     */
    init: z.enum(INIT_RULES).optional(),
    /** Model options: BatchNorm (SmallCNN), kernel size (MediumCNN), head (ResNet18). */
    batchNorm: z.boolean(),
    /** SmallCNN's BatchNorm momentum, PyTorch's convention; null: Keras's (0.01 here). */
    batchNormMomentum: z.number().gt(0).lt(1).nullable().default(null),
    kernelSize: positiveInt.nullable(),
    head: z.enum(["softmax", "sigmoid"]),
    dataset: z.enum(DATASET_NAMES),
    dataDir: z.string().nullable(),
    /** NumPy and Parquet data: scale, classes, layout where the data cannot say; absent: none. */
    dataOptions: dataOptionsSchema.optional(),
    /** Use only the first N training / test examples (fast runs); null = all. */
    trainExamples: positiveInt.nullable(),
    testExamples: positiveInt.nullable(),
    epochs: positiveInt,
    batchSize: positiveInt,
    optimizer: z.object({
      name: z.enum(["adam", "sgd"]),
      lr: z.number().positive(),
      momentum: z.number().min(0).max(1),
      nesterov: z.boolean(),
      /** L2 weight decay, added to the gradient (PyTorch's `weight_decay`). */
      weightDecay: z.number().min(0),
    }),
    schedule: z.enum(SCHEDULE_NAMES),
    labelSmoothing: z.number().min(0).max(1),
    transforms: z.array(transformSpecSchema),
    shuffle: z.discriminatedUnion("kind", [
      z.object({ kind: z.literal("permutation") }),
      z.object({ kind: z.literal("buffer"), size: positiveInt }),
      z.object({ kind: z.literal("none") }),
    ]),
    dropRemainder: z.boolean(),
    setting: z.enum([...SETTING_NAMES, "custom"]),
    /** Which noise sources are fixed (contract/noise-sources.ts), one switch each. */
    deterministic: z.object(fieldPerName(NOISE_SOURCE_NAMES, z.boolean())),
    /** Seeds used by the deterministic sources. */
    fixedSeeds: z.object(fieldPerName(SEEDED_SOURCES, z.number().int().min(0))),
    /** Flip the last bit of one initial weight (chosen by the init generator). */
    perturbInitUlp: z.boolean(),
    threads: positiveInt,
    device: z.string().regex(/^(cpu|cuda(:\d+)?)$/),
    memoryFormat: z.enum(["contiguous", "channels_last"]),
    /** How the layout reaches tensors it already fits (nn/module.ts); runs before it: kept. */
    layoutStrides: z.enum(["canonical", "kept"]).default("kept"),
    /** The CPU kernels' vector ISA (engine/cpu-kernels.ts); runs before it had "auto". */
    cpuCapability: z.enum(CPU_CAPABILITIES).default("auto"),
    cudnnBenchmark: z.boolean(),
    /** fp32, or mixed precision through autocast (train/precision.ts); runs before it: fp32. */
    precision: z.enum(PRECISIONS).default("fp32"),
    /** TF32 matmuls and convolutions (CUDA only); off, so that fp32 is fp32. */
    tf32: z.boolean().default(false),
    /** Epochs (1-based) after which predictions and weights are saved; the last always is. */
    saveEpochs: z.array(positiveInt),
    /** Record a per-step hash of every parameter and gradient (for `nnr diverge`). */
    trace: z.boolean(),
    /**
     * The folder's file layout. "original": the original code's, for `nnr original` — pred,
     * ckpt and log.csv numbered by Keras's 0-based epoch index (pred9.txt after 10 epochs), no
     * probs*.npy. Absent: nnr's, every file numbered by epochs completed (docs/run-folder.md);
     * absent rather than "nnr" so nnr's configs, and the groups and plans keyed on them, are
     * unchanged by it.
     */
    layout: z.literal("original").optional(),
    /**
     * Keras-style L2 (the original's `kernel_regularizer`): λ‖w‖² added to the loss for conv
     * and dense kernels only (train/kernel-l2.ts). Absent (not 0) unless asked for, so nnr's
     * own configs are unchanged; `optimizer.weightDecay` is PyTorch's decay on every parameter.
     */
    kernelL2: z.number().positive().optional(),
    /** Processes the run is spread over (data parallel); absent: one. */
    worldSize: positiveInt.optional(),
    /**
     * BatchNorm's training statistics over the global batch of a data-parallel run
     * (distributed/sync-batchnorm.ts) instead of each rank's slice; absent: per rank, as
     * DistributedDataParallel's default.
     */
    syncBatchNorm: z.literal(true).optional(),
  })
  .strict();

export type RunConfig = z.infer<typeof runConfigSchema>;

/**
 * A config written before dropout was a noise source of its own (a plan.json, say) lacks its
 * switch and seed. It reads with dropout switched as init is, as every setting switches the
 * two, and seed 0, so an old plan's runs are the runs its settings plan today. (A recorded
 * run.json is not read through here: its replay and resume keep its own derivation,
 * train/seeds.ts.)
 */
export function withDropoutSource(config: unknown): unknown {
  if (typeof config !== "object" || config === null) return config;
  const { deterministic, fixedSeeds } = config as Record<string, unknown>;
  const fill = (value: unknown, dropout: unknown) =>
    typeof value === "object" && value !== null && !("dropout" in value)
      ? { ...value, dropout }
      : value;
  const init = (deterministic as { init?: unknown } | undefined)?.init;
  return {
    ...config,
    deterministic: fill(deterministic, init),
    fixedSeeds: fill(fixedSeeds, 0),
  };
}

/** The original's checkpoint epochs (as epochs completed): 10, every 50th, and the last. */
export function originalSaveEpochs(epochs: number): number[] {
  const epochsSet = new Set<number>([10, epochs]);
  for (let e = 50; e <= epochs; e += 50) epochsSet.add(e);
  return [...epochsSet].filter((e) => e <= epochs).sort((a, b) => a - b);
}

/**
 * A short, stable name for the group a run belongs to, e.g. `smallcnn_bn_cifar10_algo`; a
 * pool's name takes the setting's place (`smallcnn_fashion-mnist_tooling`). An imported model
 * is named by its file and the start of its SHA-256 (`mynet-1dcd880b`): no folders in the
 * name, and two different files never share a group; weights drawn by an init rule add it
 * (`mynet-1dcd880b-pytorch`), so they never share one with the file's weights.
 */
export function groupName(config: RunConfig, setting: string = config.setting): string {
  const model = findModelDescriptor(config.model);
  const modelName =
    config.modelSha256 !== undefined
      ? `${basename(config.model).replace(/\.onnx$/i, "")}-${config.modelSha256.slice(0, 8)}${drawnInit(config)}`
      : model === undefined
        ? config.model
        : modelGroupName(model, config);
  return [modelName, config.syncBatchNorm ? "syncbn" : null, config.dataset, setting]
    .filter((part) => part !== null)
    .join("_")
    .replace(/\+/g, "");
}

/** The number a run's files carry after `epochsCompleted` epochs, in its layout. */
export function fileEpoch(config: Pick<RunConfig, "layout">, epochsCompleted: number): number {
  return config.layout === "original" ? epochsCompleted - 1 : epochsCompleted;
}

/** An imported model's drawn-weights suffix (`-pytorch`, `-glorot`); none for the file's. */
function drawnInit(config: RunConfig): string {
  return config.init === undefined || config.init === "file" ? "" : `-${config.init}`;
}

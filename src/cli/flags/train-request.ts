/**
 * Turns `nnr train` flags — ours and the original scripts' own names — into a RunRequest.
 * The original's command lines run unchanged: --deterministic_init, --deterministic_input,
 * --deterministic_tf (and CelebA's --deterministic_algo / --deterministic_impl), --ckpt_folder,
 * --batch_size, --data_dir, --eppchs / --num_epoch, --fp16.
 */

import {
  type NoiseSource,
  type OriginalSourceFlag,
  perSeededSource,
  perSource,
  SETTINGS,
  type SeedFlagKey,
  type SettingName,
  type SwitchFlagKey,
  seedFlagKey,
  sourceRow,
  switchFlagKey,
} from "../../contract/noise-sources.js";
import type { CpuCapabilityChoice } from "../../engine/cpu-kernels.js";
import type { Precision } from "../../train/precision.js";
import type { RunRequest } from "../../train/recipes.js";
import type { InitFlags } from "./init-flag.js";

/** Each noise source's flags (contract/noise-sources.ts): ours and the original scripts'. */
type SourceFlags = { [K in SwitchFlagKey]?: boolean } & { [K in SeedFlagKey]?: number } & {
  [K in OriginalSourceFlag]?: boolean;
};

export interface TrainFlags extends SourceFlags, InitFlags {
  model?: string;
  dataset?: RunRequest["dataset"];
  dataDir?: string;
  data_dir?: string;
  /** NumPy and Parquet data: --scale, --classes, --layout. */
  scale?: number;
  classes?: number;
  layout?: "nchw" | "nhwc";
  out?: string;
  ckpt_folder?: string;
  epochs?: number;
  eppchs?: number;
  num_epoch?: number;
  batchSize?: number;
  batch_size?: number;
  lr?: number;
  optimizer?: "adam" | "sgd";
  momentum?: number;
  l2?: number;
  bn?: boolean;
  /** --sync-batchnorm (commander's camel case of it). */
  syncBatchnorm?: boolean;
  kernelSize?: number;
  threads?: number;
  device?: string;
  memoryFormat?: "contiguous" | "channels_last";
  cpuCapability?: CpuCapabilityChoice;
  precision?: Precision;
  /** The original's mixed-precision switch: --precision fp16. */
  fp16?: boolean;
  tf32?: "on" | "off";
  fast?: boolean;
  trainExamples?: number;
  testExamples?: number;
  saveEpochs?: number[];
  setting?: SettingName;
  perturbInitUlp?: boolean;
  cudnnBenchmark?: boolean;
  trace?: boolean;
  replicate?: number;
}

/** --fast: a quick run on a subset, for trying things out. */
export const FAST = { epochs: 3, trainExamples: 10_000 };

export function outDirOf(flags: TrainFlags): string | undefined {
  return flags.out ?? flags.ckpt_folder;
}

export function trainRequest(flags: TrainFlags): RunRequest {
  const base = SETTINGS[flags.setting ?? "algo+impl"];
  const fixedByFlag = (source: NoiseSource) =>
    !!flags[switchFlagKey(source)] || sourceRow(source).originalFlags.some((flag) => flags[flag]);
  const deterministic = perSource((source) => base[source] || fixedByFlag(source));
  const epochs =
    flags.epochs ?? flags.eppchs ?? flags.num_epoch ?? (flags.fast ? FAST.epochs : undefined);
  const trainExamples = flags.trainExamples ?? (flags.fast ? FAST.trainExamples : undefined);
  const dataDir = flags.dataDir ?? flags.data_dir;
  const batchSize = flags.batchSize ?? flags.batch_size;
  const optimizer = {
    ...(flags.optimizer === undefined ? {} : { name: flags.optimizer }),
    ...(flags.lr === undefined ? {} : { lr: flags.lr }),
    ...(flags.momentum === undefined ? {} : { momentum: flags.momentum }),
    ...(flags.l2 === undefined ? {} : { weightDecay: flags.l2 }),
  };
  const request: RunRequest = {
    deterministic,
    optimizer,
    fixedSeeds: perSeededSource((source) => flags[seedFlagKey(source)] ?? 0),
    batchNorm: flags.bn ?? false,
  };
  const optional: Partial<RunRequest> = {
    model: flags.model,
    init: flags.init,
    dataset: flags.dataset,
    dataDir,
    epochs,
    batchSize,
    kernelSize: flags.kernelSize,
    threads: flags.threads,
    device: flags.device,
    memoryFormat: flags.memoryFormat,
    cpuCapability: flags.cpuCapability,
    precision: flags.precision ?? (flags.fp16 ? "fp16" : undefined),
    tf32: flags.tf32 === undefined ? undefined : flags.tf32 === "on",
    trainExamples,
    testExamples: flags.testExamples,
    saveEpochs: flags.saveEpochs,
    perturbInitUlp: flags.perturbInitUlp,
    cudnnBenchmark: flags.cudnnBenchmark,
    trace: flags.trace,
    syncBatchNorm: flags.syncBatchnorm,
    dataOptions: dataOptionsOf(flags),
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (request as Record<string, unknown>)[key] = value;
  }
  return request;
}

/** --scale, --classes and --layout as the config's dataOptions; undefined when none is given. */
function dataOptionsOf(flags: TrainFlags): RunRequest["dataOptions"] {
  const options = {
    ...(flags.scale === undefined ? {} : { scale: flags.scale }),
    ...(flags.classes === undefined ? {} : { classes: flags.classes }),
    ...(flags.layout === undefined ? {} : { layout: flags.layout }),
  };
  return Object.keys(options).length > 0 ? options : undefined;
}

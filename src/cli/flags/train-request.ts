/**
 * Turns `nnr train` flags — ours and the original scripts' own names — into a RunRequest.
 * The original's command lines run unchanged: --deterministic_init, --deterministic_input,
 * --deterministic_tf (and CelebA's --deterministic_algo / --deterministic_impl), --ckpt_folder,
 * --batch_size, --data_dir, --eppchs / --num_epoch, --fp16.
 */

import { Option } from "commander";
import {
  type NoiseSource,
  type OriginalSourceFlag,
  perSource,
  SETTINGS,
  type SeedFlagKey,
  type SettingName,
  type SwitchFlagKey,
  sourceRow,
  switchFlagKey,
} from "../../contract/noise-sources.js";
import type { CpuCapabilityChoice } from "../../engine/cpu-kernels.js";
import type { InitRule } from "../../onnx/init-rules.js";
import type { Precision } from "../../train/precision.js";
import type { RunRequest } from "../../train/recipes.js";
import { CONFIG_FLAGS, type ConfigFlag } from "./config-flags.js";

/** Each noise source's flags (contract/noise-sources.ts): ours and the original scripts'. */
type SourceFlags = { [K in SwitchFlagKey]?: boolean } & { [K in SeedFlagKey]?: number } & {
  [K in OriginalSourceFlag]?: boolean;
};

export interface TrainFlags extends SourceFlags {
  model?: string;
  /** An imported model's init rule (onnx/init-rules.ts). */
  init?: InitRule;
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
  bnMomentum?: number;
  head?: "softmax" | "sigmoid";
  nesterov?: boolean;
  schedule?: RunRequest["schedule"];
  labelSmoothing?: number;
  kernelL2?: number;
  transforms?: RunRequest["transforms"];
  shuffle?: RunRequest["shuffle"];
  dropRemainder?: boolean;
  layoutStrides?: "canonical" | "kept";
  fileLayout?: "nnr" | "original";
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

/** The request of a new run: the flags given, over the default setting (ALGO+IMPL). */
export function trainRequest(flags: TrainFlags): RunRequest {
  const base = SETTINGS[flags.setting ?? "algo+impl"];
  const fixedByFlag = (source: NoiseSource) =>
    !!flags[switchFlagKey(source)] || sourceRow(source).originalFlags.some((flag) => flags[flag]);
  return {
    ...flagsRequest(flags),
    deterministic: perSource((source) => base[source] || fixedByFlag(source)),
    batchNorm: flags.bn ?? false,
  };
}

/**
 * The request the flags given make, and nothing else: no default filled in (a replay's
 * changes are this over the recorded config). The noise-source switches and --setting are the
 * caller's: they combine.
 */
export function flagsRequest(flags: TrainFlags): RunRequest {
  const given = canonicalFlags(flags) as Record<string, unknown>;
  const request: Record<string, unknown> = {};
  for (const row of CONFIG_FLAGS) {
    const value = given[attributeOf(row)];
    if (value === undefined || row.request === "by hand") continue;
    if (row.request !== undefined) Object.assign(request, row.request(value as never));
    else setField(request, row.fields[0]!, value);
  }
  return request as RunRequest;
}

/** The flags object's key of a row, as commander names it: "--bn-momentum" → "bnMomentum". */
export function attributeOf(row: Pick<ConfigFlag, "flag">): string {
  return new Option(row.flag).attributeName();
}

/** Our flags for what the original scripts' names and --fast set. */
function canonicalFlags(flags: TrainFlags): TrainFlags {
  return {
    ...flags,
    epochs:
      flags.epochs ?? flags.eppchs ?? flags.num_epoch ?? (flags.fast ? FAST.epochs : undefined),
    trainExamples: flags.trainExamples ?? (flags.fast ? FAST.trainExamples : undefined),
    dataDir: flags.dataDir ?? flags.data_dir,
    batchSize: flags.batchSize ?? flags.batch_size,
    precision: flags.precision ?? (flags.fp16 ? "fp16" : undefined),
  };
}

/** Sets `optimizer.lr` in a request: the nested object is made where it is missing. */
function setField(request: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let target = request;
  for (const part of parts.slice(0, -1)) {
    target[part] ??= {};
    target = target[part] as Record<string, unknown>;
  }
  target[parts.at(-1)!] = value;
}

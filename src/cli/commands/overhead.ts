import type { Command } from "commander";
import { engineInfo } from "../../engine/index.js";
import { UserError } from "../../errors.js";
import { readOnnxModel } from "../../onnx/index.js";
import {
  DEFAULT_SETTINGS,
  defaultStudyModels,
  type OverheadCallbacks,
  type OverheadSettings,
  parseStudyModel,
  runOverhead,
  type StudyModel,
} from "../../studies/overhead/index.js";
import { isOnnxModelPath } from "../../train/imported-model.js";
import { nonNegativeInteger, oneOf, positiveInteger } from "../flags/parse.js";
import type { RegisterCommand } from "./index.js";

interface OverheadFlags {
  models?: string;
  device: string;
  threads?: number;
  batchSize?: number;
  iterations?: number;
  repeats?: number;
  warmup?: number;
  imageSize?: number;
  memoryFormat?: OverheadSettings["memoryFormat"];
  seed?: number;
  cudnnBenchmark?: boolean;
  out: string;
}

export const registerOverhead: RegisterCommand = (program) => {
  const command = program
    .command("overhead")
    .description(
      "time training steps with deterministic kernels and without; write overhead.csv and a chart",
    );
  addOverheadOptions(command).action(async (flags: OverheadFlags) => {
    const models = parseModels(flags.models);
    const settings = overheadSettings(flags);
    console.log(
      `overhead on ${settings.device}, ${settings.threads} thread(s): batch ${settings.batchSize}, ` +
        `${settings.imageSize}×${settings.imageSize} (an .onnx model: its own input shape), ` +
        `${settings.iterations} steps × ${settings.repeats} repeats (ms per step, median ± range)`,
    );
    const run = await runOverhead(models, settings, flags.out, overheadCallbacks);
    if (run.measurements.length === 0) {
      throw new UserError("no model could be measured; see the messages above", { exitCode: 1 });
    }
    console.log(`wrote ${run.csv}${run.chart ? ` and ${run.chart.svg}, ${run.chart.png}` : ""}`);
    if (run.failures.length > 0) process.exitCode = 1;
  });
};

function addOverheadOptions(command: Command): Command {
  const d = DEFAULT_SETTINGS;
  return command
    .option(
      "--models <list>",
      "comma-separated: mediumcnn-k1…k7, vgg16, resnet50, …, or .onnx files (default: the study's list)",
    )
    .option("--device <device>", "cpu, cuda or cuda:N", "cpu")
    .option(
      "--threads <n>",
      `intra-op threads (default ${d.threads})`,
      positiveInteger("--threads"),
    )
    .option(
      "--batch-size <n>",
      `batch size (default ${d.batchSize})`,
      positiveInteger("--batch-size"),
    )
    .option(
      "--iterations <n>",
      `training steps per timed measurement (default ${d.iterations})`,
      positiveInteger("--iterations"),
    )
    .option(
      "--repeats <n>",
      `measurements per mode, interleaved; the figure is their median (default ${d.repeats})`,
      positiveInteger("--repeats"),
    )
    .option(
      "--warmup <n>",
      `untimed steps per mode first (default ${d.warmup})`,
      nonNegativeInteger("--warmup"),
    )
    .option(
      "--image-size <n>",
      `input height and width of the zoo's models (default ${d.imageSize})`,
      positiveInteger("--image-size"),
    )
    .option(
      "--memory-format <layout>",
      "contiguous or channels_last",
      oneOf("--memory-format", ["contiguous", "channels_last"] as const),
    )
    .option(
      "--seed <n>",
      "seed of the weights and the batch (default 0)",
      nonNegativeInteger("--seed"),
    )
    .option("--cudnn-benchmark", "cuDNN autotuning in the default mode")
    .option("--out <dir>", "folder for overhead.csv and the chart", "overhead");
}

function overheadSettings(flags: OverheadFlags): OverheadSettings {
  const d = DEFAULT_SETTINGS;
  return {
    device: checkDevice(flags.device),
    threads: flags.threads ?? d.threads,
    batchSize: flags.batchSize ?? d.batchSize,
    iterations: flags.iterations ?? d.iterations,
    repeats: flags.repeats ?? d.repeats,
    warmup: flags.warmup ?? d.warmup,
    imageSize: flags.imageSize ?? d.imageSize,
    memoryFormat: flags.memoryFormat ?? d.memoryFormat,
    seed: flags.seed ?? d.seed,
    cudnnBenchmark: flags.cudnnBenchmark ?? false,
  };
}

const overheadCallbacks: OverheadCallbacks = {
  onEstimate: (model, msPerStep, stepsLeft) => {
    const minutes = (msPerStep * stepsLeft) / 60_000;
    if (minutes < 1) return;
    console.log(
      `${model.label.padEnd(15)} ${(msPerStep / 1000).toFixed(1)} s a step in warm-up: about ${minutes.toFixed(0)} min more for this model` +
        " (--batch-size, --image-size, --iterations and --repeats shorten it)",
    );
  },
  onMeasured: (m) =>
    console.log(
      `${m.model.padEnd(15)} default ${ms(m.defaultMs.median)} ± ${ms(m.defaultMs.spread)}  ` +
        `deterministic ${ms(m.deterministicMs.median)} ± ${ms(m.deterministicMs.spread)}  ` +
        `overhead ${m.overhead.toFixed(3)}×`,
    ),
  onFailed: (model, message) => console.error(`${model.label}: failed: ${message}`),
};

const ms = (value: number) => `${value.toFixed(1).padStart(8)} ms`;

function parseModels(list: string | undefined): StudyModel[] {
  if (list === undefined) return defaultStudyModels();
  // Zoo names in any case; a file's path as given.
  const labels = list
    .split(",")
    .map((label) => label.trim())
    .map((label) => (isOnnxModelPath(label) ? label : label.toLowerCase()));
  if (labels.some((label) => label === "")) {
    throw new UserError(`--models ${list}: expected a comma-separated list of model names`);
  }
  // A file is read now, so a missing or broken one is refused before any model is timed.
  for (const file of labels.filter(isOnnxModelPath)) readOnnxModel(file);
  try {
    return labels.map(parseStudyModel);
  } catch (error) {
    throw new UserError(`--models: ${(error as Error).message}`);
  }
}

/** Fails early, with one line, on a device this build or machine cannot use. */
export function checkDevice(device: string): string {
  if (device === "cpu") return device;
  const cuda = /^cuda(?::(\d+))?$/.exec(device);
  if (cuda === null) throw new UserError(`--device ${device}: expected cpu, cuda or cuda:N`);
  const info = engineInfo();
  if (!info.cudaAvailable) {
    throw new UserError(
      `--device ${device}: CUDA is not available (libtorch ${info.libtorch}, ${info.cudaBuild ? "CUDA build, no GPU found" : "CPU-only build"})`,
    );
  }
  const index = Number(cuda[1] ?? 0);
  if (index >= info.cudaDeviceCount) {
    throw new UserError(`--device ${device}: only ${info.cudaDeviceCount} CUDA device(s) present`);
  }
  return device;
}

/**
 * A flag either changes the run or is refused. A flag the run would record but never use
 * (BatchNorm on a model without that switch, momentum under Adam, the seed of a source drawn
 * at random) makes run.json describe a run that did not happen, so it is an error instead.
 */
import { refuseMissingOption } from "../../contract/model-descriptor.js";
import {
  SEEDED_SOURCES,
  SETTING_NAMES,
  SETTINGS,
  seedFlag,
  seedFlagKey,
  switchFlag,
} from "../../contract/noise-sources.js";
import { UserError } from "../../errors.js";
import { zooDescriptors } from "../../nn/models/index.js";
import type { RunConfig } from "../../train/config.js";
import { runModelDescriptor } from "../../train/imported-model.js";
import type { TrainFlags } from "./train-request.js";

/** Throws a one-line UserError naming the first flag that the resolved run would ignore. */
export function refuseInapplicableFlags(flags: TrainFlags, config: RunConfig): void {
  refuseShadowedFlags(flags);
  const model = runModelDescriptor(config.model);
  if (flags.bn) refuseMissingOption(model, "batchNorm", "--bn", zooDescriptors());
  if (flags.kernelSize !== undefined) {
    refuseMissingOption(model, "kernelSize", "--kernel-size", zooDescriptors());
  }
  if (flags.momentum !== undefined && config.optimizer.name !== "sgd") {
    refuse(
      `--momentum: only SGD uses momentum (this run's optimizer is ${config.optimizer.name}); add --optimizer sgd or drop --momentum`,
    );
  }
  if (flags.nesterov && config.optimizer.name !== "sgd") {
    refuse(
      `--nesterov: only SGD has Nesterov momentum (this run's optimizer is ${config.optimizer.name}); add --optimizer sgd or drop --nesterov`,
    );
  }
  for (const source of SEEDED_SOURCES) {
    if (flags[seedFlagKey(source)] !== undefined && !config.deterministic[source]) {
      const fixing = SETTING_NAMES.filter((setting) => SETTINGS[setting][source]).join(" or ");
      refuse(
        `${seedFlag(source)}: the ${source} seed is drawn at random in setting ${config.setting}; add ${switchFlag(source)} (or --setting ${fixing}) or drop ${seedFlag(source)}`,
      );
    }
  }
  if (flags.cudnnBenchmark && !config.device.startsWith("cuda")) {
    refuse("--cudnn-benchmark: cuDNN autotuning needs --device cuda; drop it on the CPU");
  }
  const late = flags.saveEpochs?.find((epoch) => epoch > config.epochs);
  if (late !== undefined) {
    refuse(
      `--save-epochs: epoch ${late} is past the run's last (${config.epochs}); list epochs up to ${config.epochs}`,
    );
  }
}

/** The original scripts' names and ours for one setting: given both, one would be dropped. */
const SAME_SETTING: readonly [keyof TrainFlags, string, keyof TrainFlags, string][] = [
  ["out", "--out", "ckpt_folder", "--ckpt_folder"],
  ["dataDir", "--data-dir", "data_dir", "--data_dir"],
  ["batchSize", "--batch-size", "batch_size", "--batch_size"],
  ["epochs", "--epochs", "eppchs", "--eppchs"],
  ["epochs", "--epochs", "num_epoch", "--num_epoch"],
  ["eppchs", "--eppchs", "num_epoch", "--num_epoch"],
];

function refuseShadowedFlags(flags: TrainFlags): void {
  for (const [ours, ourFlag, theirs, theirFlag] of SAME_SETTING) {
    if (flags[ours] !== undefined && flags[theirs] !== undefined) {
      refuse(`${theirFlag}: the same setting as ${ourFlag}, which is given too; pass one of them`);
    }
  }
  if (flags.fp16 && flags.precision !== undefined) {
    refuse(`--fp16: the same setting as --precision, which is given too; pass one of them`);
  }
  const epochsGiven = flags.epochs ?? flags.eppchs ?? flags.num_epoch;
  if (flags.fast && epochsGiven !== undefined && flags.trainExamples !== undefined) {
    refuse("--fast: --epochs and --train-examples already set all it sets; drop --fast");
  }
}

/**
 * --replay repeats a recorded run and --resume continues one: both take every setting from
 * run.json, so any other flag given beside them would be silently dropped.
 */
export function refuseFlagsBeside(
  mode: "--replay" | "--resume",
  givenFlags: readonly string[],
): void {
  const allowed = mode === "--replay" ? ["--replay", "--out", "--ckpt_folder"] : ["--resume"];
  const extra = givenFlags.filter((flag) => !allowed.includes(flag));
  if (extra.length > 0) {
    const what = mode === "--replay" ? "repeats the recorded run" : "continues the recorded run";
    refuse(
      `${extra.join(", ")}: ${mode} ${what} with its own settings; drop ${extra.length === 1 ? "it" : "them"}, or train a new run without ${mode}`,
    );
  }
}

function refuse(message: string): never {
  throw new UserError(message);
}

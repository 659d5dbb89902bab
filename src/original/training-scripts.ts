/**
 * The original's training scripts as `nnr original` runs them: each script's own flags, its
 * defaults, and the original's folder layout in --ckpt_folder (or classifier_trainer.py's
 * --model_dir): log.csv with Keras's columns, pred{epoch}.txt and ckpt{epoch} at Keras's
 * 0-based epochs (9, 49, …, 199 for 200 epochs). nnr's run.json and test-labels.txt sit beside
 * them, so the folder also resumes and analyses as an nnr run.
 */
import { UserError } from "../errors.js";
import type { RunRequest } from "../train/recipes.js";
import type { FlagSpec, ParsedFlags } from "./args.js";
import { celebaRequest, imagenetRequest, resnet18Request, smallcnnRequest } from "./recipes.js";

/** Flags nnr adds to every training script; the original had no such choice (it ran on GPU). */
const NNR_FLAGS: FlagSpec = { nnr_device: "text", nnr_threads: "integer" };

const DETERMINISM: FlagSpec = {
  deterministic_init: "switch",
  deterministic_input: "switch",
  deterministic_tf: "switch",
};

export interface TrainingScript {
  flags: FlagSpec;
  /** The flag that names the output folder. */
  folderFlag: string;
  request(flags: ParsedFlags, script: string): RunRequest;
}

const cifarDataset = (script: string, flags: ParsedFlags): "cifar10" | "cifar100" => {
  const dataset = (flags.dataset as string | undefined) ?? "cifar10";
  if (dataset !== "cifar10" && dataset !== "cifar100")
    throw new UserError(
      `nnr original ${script}: --dataset ${dataset}: expected cifar10 or cifar100`,
    );
  return dataset;
};

const common = (flags: ParsedFlags): RunRequest => {
  const request: RunRequest = {
    deterministic: {
      init: flags.deterministic_init === true,
      input: flags.deterministic_input === true,
      // Its models draw no masks; its init switch fixes them with the weights (noise-sources.ts).
      dropout: flags.deterministic_init === true,
      impl: flags.deterministic_tf === true,
    },
    layout: "original",
  };
  if (flags.data_dir !== undefined) request.dataDir = flags.data_dir as string;
  if (flags.lr !== undefined) request.optimizer = { lr: flags.lr as number };
  if (flags.batch_size !== undefined) request.batchSize = flags.batch_size as number;
  if (flags.nnr_device !== undefined) request.device = flags.nnr_device as string;
  if (flags.nnr_threads !== undefined) request.threads = flags.nnr_threads as number;
  return request;
};

const epochsFrom = (flags: ParsedFlags, ...names: string[]): Partial<RunRequest> => {
  for (const name of names) if (flags[name] !== undefined) return { epochs: flags[name] as number };
  return {};
};

const SMALLCNN: TrainingScript = {
  // The README's own spelling, --eppchs, is the script's flag; --epochs is accepted too.
  flags: {
    ckpt_folder: "text",
    lr: "number",
    batch_size: "integer",
    eppchs: "integer",
    epochs: "integer",
    bn: "switch",
    dataset: "text",
    data_dir: "text",
    ...DETERMINISM,
    ...NNR_FLAGS,
  },
  folderFlag: "ckpt_folder",
  request: (flags, script) => ({
    ...smallcnnRequest(cifarDataset(script, flags)),
    ...common(flags),
    ...epochsFrom(flags, "eppchs", "epochs"),
    batchNorm: flags.bn === true,
  }),
};

const RESNET18: TrainingScript = {
  flags: {
    ckpt_folder: "text",
    lr: "number",
    batch_size: "integer",
    num_epoch: "integer",
    dataset: "text",
    data_dir: "text",
    l2: "number",
    ...DETERMINISM,
    ...NNR_FLAGS,
  },
  folderFlag: "ckpt_folder",
  request: (flags, script) => ({
    ...resnet18Request(cifarDataset(script, flags), flags.l2 as number | undefined),
    ...common(flags),
    ...epochsFrom(flags, "num_epoch"),
  }),
};

const RESNET_CELEBA: TrainingScript = {
  // resnet_celeba.py names its switches by noise source: algo = init + input, impl = kernels.
  flags: {
    ckpt_folder: "text",
    lr: "number",
    batch_size: "integer",
    num_epoch: "integer",
    data_dir: "text",
    deterministic_algo: "switch",
    deterministic_impl: "switch",
    ...NNR_FLAGS,
  },
  folderFlag: "ckpt_folder",
  request: (flags) => {
    const algo = flags.deterministic_algo === true;
    const base = common(flags);
    return {
      ...celebaRequest(),
      ...base,
      ...epochsFrom(flags, "num_epoch"),
      deterministic: { init: algo, input: algo, impl: flags.deterministic_impl === true },
    };
  },
};

const CLASSIFIER_TRAINER: TrainingScript = {
  flags: {
    mode: "text",
    model_type: "text",
    dataset: "text",
    model_dir: "text",
    data_dir: "text",
    config_file: "text",
    ...DETERMINISM,
    ...NNR_FLAGS,
  },
  folderFlag: "model_dir",
  request: (flags, script) => {
    const expect = (name: string, value: string) => {
      if (flags[name] !== undefined && flags[name] !== value)
        throw new UserError(
          `nnr original ${script}: --${name}=${flags[name]}: only --${name}=${value} (the paper's run) is supported`,
        );
    };
    expect("mode", "train_and_eval");
    expect("model_type", "resnet");
    expect("dataset", "imagenet");
    return { ...imagenetRequest(), ...common(flags) };
  },
};

/** Script names as the original runs them: `python -m NAME` or `python PATH`. */
export const TRAINING_SCRIPTS: Record<string, TrainingScript> = {
  "training_script.smallcnn": SMALLCNN,
  "training_script.resnet18": RESNET18,
  "training_script.resnet_celeba": RESNET_CELEBA,
  "classifier_trainer.py": CLASSIFIER_TRAINER,
};

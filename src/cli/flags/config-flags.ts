/**
 * `nnr train`'s flags for the run config: one row per flag, naming the config fields it sets
 * as a plan names them (`optimizer.lr`), so everything a plan can set, `train` can too
 * (test/cli/config-flags.test.ts walks the config schema against this table). The command
 * declares its options from these rows (train-command.ts), the request is built from them
 * (train-request.ts), and a replay reads what each may change (replay-changes.ts).
 *
 * Flags that are not config fields (--out, --replay, --resume, --replicate, the launcher's)
 * are declared by the command itself.
 */
import { SCHEDULE_NAMES } from "../../contract/model-descriptor.js";
import {
  NOISE_SOURCES,
  SEEDED_SOURCES,
  SETTING_NAMES,
  seedFlag,
  seedOf,
  switchFlag,
} from "../../contract/noise-sources.js";
import { DATASET_NAMES } from "../../data/dataset-names.js";
import { CPU_CAPABILITIES } from "../../engine/cpu-kernels.js";
import { modelNames } from "../../nn/models/index.js";
import { DEFAULT_INIT_RULE, INIT_RULES } from "../../onnx/init-rules.js";
import { PRECISIONS } from "../../train/precision.js";
import type { RunRequest } from "../../train/recipes.js";
import {
  fractionBelowOne,
  integerList,
  nonNegativeInteger,
  nonNegativeNumber,
  oneOf,
  positiveInteger,
  positiveNumber,
  unitFraction,
} from "./parse.js";
import { shuffleFlag, transformsFlag } from "./recipe-values.js";

/**
 * What a flag given beside --replay does. "training": it changes what is trained, so another
 * weights hash is expected. "record": it changes what is recorded or where the data is read,
 * not the arithmetic, so the recorded hash is expected. "tooling": the same arithmetic on
 * other kernels, threads or layout: the same hash exactly where the change moves no bits,
 * which is what such a replay asks. `refused`: the replay would no longer be of the run.
 */
export type ReplayChange = "training" | "record" | "tooling" | { refused: string };

export interface ConfigFlag {
  /** Commander's spelling: "--lr <x>", or "--nesterov" for a switch. */
  flag: string;
  help: string;
  parse?: (text: string) => unknown;
  /** The run-config fields it sets, as a plan names them ("optimizer.lr"). */
  fields: readonly string[];
  /**
   * The request's part for the flag's value; absent: the value itself at fields[0]. "by hand":
   * train-request.ts builds it (flags that combine: --setting with the switches, --fast, --nproc).
   */
  request?: ((value: never) => RunRequest) | "by hand";
  replay: ReplayChange;
}

const NOT_THE_RUN = "a replay trains the recorded model on the recorded data";
const SEEDS_RECORDED =
  "a replay takes the recorded seeds; to draw or fix other seeds, train a new run";
const SAME_PROCESSES = "a replay runs over the recorded number of processes";

const modelFlags: ConfigFlag[] = [
  {
    flag: "--model <name>",
    help: `${modelNames().join(", ")} (default smallcnn), or an .onnx file (docs/your-model.md)`,
    fields: ["model"],
    replay: { refused: NOT_THE_RUN },
  },
  {
    flag: "--bn",
    help: "SmallCNN with BatchNorm (smallcnn only)",
    fields: ["batchNorm"],
    replay: "training",
  },
  {
    flag: "--bn-momentum <x>",
    help: "with --bn: BatchNorm's running-statistics momentum, PyTorch's convention (default: Keras's, 0.01)",
    parse: fractionBelowOne("--bn-momentum"),
    fields: ["batchNormMomentum"],
    replay: "training",
  },
  {
    flag: "--kernel-size <k>",
    help: "MediumCNN kernel size (mediumcnn only)",
    parse: positiveInteger("--kernel-size"),
    fields: ["kernelSize"],
    replay: "training",
  },
  {
    flag: "--head <head>",
    help: "softmax or sigmoid output (default: the model's recipe)",
    parse: oneOf("--head", ["softmax", "sigmoid"] as const),
    fields: ["head"],
    replay: "training",
  },
];

const dataFlags: ConfigFlag[] = [
  {
    flag: "--dataset <name>",
    help: `${DATASET_NAMES.join(", ")} (default fashion-mnist)`,
    parse: oneOf("--dataset", DATASET_NAMES),
    fields: ["dataset"],
    replay: { refused: NOT_THE_RUN },
  },
  {
    flag: "--data-dir <dir>",
    help: "dataset folder (Fashion-MNIST: the system copy, else the bundled subset; npy, parquet: the arrays' or files' folder)",
    fields: ["dataDir"],
    replay: "record",
  },
  {
    flag: "--scale <x>",
    help: "npy, parquet: divide values by this to reach [0, 1] (default 255 for uint8, 1 for float32)",
    parse: positiveNumber("--scale"),
    fields: ["dataOptions.scale"],
    replay: { refused: NOT_THE_RUN },
  },
  {
    flag: "--classes <n>",
    help: "npy, parquet: the number of classes (default: the largest label + 1)",
    parse: positiveInteger("--classes"),
    fields: ["dataOptions.classes"],
    replay: { refused: NOT_THE_RUN },
  },
  {
    flag: "--layout <order>",
    help: "npy: nchw or nhwc, for a 4-D array whose shape does not say",
    parse: oneOf("--layout", ["nchw", "nhwc"] as const),
    fields: ["dataOptions.layout"],
    replay: { refused: NOT_THE_RUN },
  },
  {
    flag: "--fast",
    help: "a quick run: 3 epochs on the first 10,000 training examples",
    fields: ["epochs", "trainExamples"],
    request: "by hand",
    replay: "training",
  },
  {
    flag: "--train-examples <n>",
    help: "use the first N training examples",
    parse: positiveInteger("--train-examples"),
    fields: ["trainExamples"],
    replay: "training",
  },
  {
    flag: "--test-examples <n>",
    help: "use the first N test examples",
    parse: positiveInteger("--test-examples"),
    fields: ["testExamples"],
    replay: "record",
  },
  {
    flag: "--transforms <list>",
    help: 'the input pipeline: scale, standardize or cifarAugmentStandardize, or a JSON list of steps, e.g. \'[{"op":"pad","pixels":4},{"op":"scale"}]\' (default: the recipe\'s)',
    parse: transformsFlag("--transforms"),
    fields: ["transforms"],
    replay: "training",
  },
  {
    flag: "--shuffle <order>",
    help: "permutation (a new one every epoch), none, or buffer:N (a shuffle buffer of N, as tf.data) (default: the recipe's)",
    parse: shuffleFlag("--shuffle"),
    fields: ["shuffle"],
    replay: "training",
  },
  {
    flag: "--drop-remainder",
    help: "drop the last batch of an epoch when it is short",
    fields: ["dropRemainder"],
    replay: "training",
  },
];

/** --setting, each source's switch and each seeded source's seed (contract/noise-sources.ts). */
const noiseSourceFlags = (): ConfigFlag[] => [
  {
    flag: "--setting <name>",
    help: `${SETTING_NAMES.join(", ")}: the switches of ${NOISE_SOURCES.map((row) => row.name).join(", ")} at once (default algo+impl)`,
    parse: oneOf("--setting", SETTING_NAMES),
    fields: ["setting"],
    request: "by hand",
    replay: { refused: `${SEEDS_RECORDED}; change the kernels with --deterministic-impl` },
  },
  ...NOISE_SOURCES.map(
    (row): ConfigFlag => ({
      flag: switchFlag(row.name),
      help: row.flagHelp,
      fields: [`deterministic.${row.name}`],
      request: "by hand",
      replay: row.seed !== null ? { refused: SEEDS_RECORDED } : "tooling",
    }),
  ),
  ...SEEDED_SOURCES.map(
    (source): ConfigFlag => ({
      flag: `${seedFlag(source)} <n>`,
      help: seedOf(source).flagHelp,
      parse: nonNegativeInteger(seedFlag(source)),
      fields: [`fixedSeeds.${source}`],
      replay: { refused: SEEDS_RECORDED },
    }),
  ),
  {
    flag: "--perturb-init-ulp",
    help: "flip the last bit of one initial weight",
    fields: ["perturbInitUlp"],
    replay: "training",
  },
  {
    flag: "--init <rule>",
    help: `an .onnx model's initial weights: file (the exported ones), pytorch or glorot (drawn from the init seed by that framework's default rule; default ${DEFAULT_INIT_RULE})`,
    parse: oneOf("--init", INIT_RULES),
    fields: ["init"],
    replay: "training",
  },
];

const recipeFlags: ConfigFlag[] = [
  {
    flag: "--epochs <n>",
    help: "epochs (default: the model's recipe)",
    parse: positiveInteger("--epochs"),
    fields: ["epochs"],
    replay: "training",
  },
  {
    flag: "--batch-size <n>",
    help: "batch size",
    parse: positiveInteger("--batch-size"),
    fields: ["batchSize"],
    replay: "training",
  },
  {
    flag: "--optimizer <name>",
    help: "adam or sgd",
    parse: oneOf("--optimizer", ["adam", "sgd"] as const),
    fields: ["optimizer.name"],
    replay: "training",
  },
  {
    flag: "--lr <x>",
    help: "learning rate (ImageNet recipe: the peak per 256 examples, scaled by batch size)",
    parse: positiveNumber("--lr"),
    fields: ["optimizer.lr"],
    replay: "training",
  },
  {
    flag: "--schedule <name>",
    help: `the learning rate over the run: ${SCHEDULE_NAMES.join(", ")} (linear-decay: from --lr to 0, per step; default: the recipe's)`,
    parse: oneOf("--schedule", SCHEDULE_NAMES),
    fields: ["schedule"],
    replay: "training",
  },
  {
    flag: "--momentum <x>",
    help: "SGD momentum (SGD only)",
    parse: nonNegativeNumber("--momentum"),
    fields: ["optimizer.momentum"],
    replay: "training",
  },
  {
    flag: "--nesterov",
    help: "SGD with Nesterov momentum (SGD only)",
    fields: ["optimizer.nesterov"],
    replay: "training",
  },
  {
    flag: "--l2 <x>",
    help: "L2 weight decay on every parameter, added to the gradient (PyTorch's weight_decay)",
    parse: nonNegativeNumber("--l2"),
    fields: ["optimizer.weightDecay"],
    replay: "training",
  },
  {
    flag: "--kernel-l2 <x>",
    help: "Keras-style L2: x·‖w‖² added to the loss, conv and dense kernels only",
    parse: positiveNumber("--kernel-l2"),
    fields: ["kernelL2"],
    replay: "training",
  },
  {
    flag: "--label-smoothing <x>",
    help: "label smoothing, 0 to 1 (default: the recipe's)",
    parse: unitFraction("--label-smoothing"),
    fields: ["labelSmoothing"],
    replay: "training",
  },
];

const toolingFlags: ConfigFlag[] = [
  {
    flag: "--threads <n>",
    help: "intra-op threads (default 1)",
    parse: positiveInteger("--threads"),
    fields: ["threads"],
    replay: "tooling",
  },
  {
    flag: "--device <device>",
    help: "cpu, cuda or cuda:N (default cpu)",
    fields: ["device"],
    replay: "tooling",
  },
  {
    flag: "--memory-format <layout>",
    help: "contiguous or channels_last (default: channels_last for SmallCNN on CPU, else contiguous)",
    parse: oneOf("--memory-format", ["contiguous", "channels_last"] as const),
    fields: ["memoryFormat"],
    replay: "tooling",
  },
  {
    flag: "--layout-strides <how>",
    help: "canonical (default): a tensor that already fits the layout (a dimension of 1) gets the layout's own strides, as PyTorch's Module.to does; kept: left as it is, as runs recorded before the field",
    parse: oneOf("--layout-strides", ["canonical", "kept"] as const),
    fields: ["layoutStrides"],
    replay: "tooling",
  },
  {
    flag: "--cpu-capability <isa>",
    help: "CPU kernels' vector ISA: auto (the machine's best), default (scalar), avx2, avx512",
    parse: oneOf("--cpu-capability", CPU_CAPABILITIES),
    fields: ["cpuCapability"],
    replay: "tooling",
  },
  {
    flag: "--precision <p>",
    help: "fp32 (default), bf16 (autocast; CPU or CUDA) or fp16 (autocast and loss scaling; CUDA)",
    parse: oneOf("--precision", PRECISIONS),
    fields: ["precision"],
    replay: "training",
  },
  {
    flag: "--tf32 <on|off>",
    help: "TF32 matmuls and convolutions on CUDA (default off)",
    parse: oneOf("--tf32", ["on", "off"] as const),
    fields: ["tf32"],
    request: (value: "on" | "off") => ({ tf32: value === "on" }),
    replay: "training",
  },
  {
    flag: "--cudnn-benchmark",
    help: "cuDNN autotuning (cuda, nondeterministic kernels only)",
    fields: ["cudnnBenchmark"],
    replay: "tooling",
  },
  {
    flag: "--nproc <n>",
    help: "train over N local processes (data parallel, Gloo): each takes 1/N of every batch",
    parse: positiveInteger("--nproc"),
    fields: ["worldSize"],
    request: "by hand",
    replay: { refused: SAME_PROCESSES },
  },
  {
    flag: "--sync-batchnorm",
    help: "with --nproc: BatchNorm normalises with the global batch's statistics (SyncBatchNorm), not each process's",
    fields: ["syncBatchNorm"],
    replay: { refused: SAME_PROCESSES },
  },
];

const recordFlags: ConfigFlag[] = [
  {
    flag: "--save-epochs <list>",
    help: "epochs to save predictions and weights at (default 10, every 50th, last)",
    parse: integerList("--save-epochs"),
    fields: ["saveEpochs"],
    replay: "record",
  },
  {
    flag: "--trace",
    help: "record a hash of every parameter and gradient at every step (for nnr diverge)",
    fields: ["trace"],
    replay: "record",
  },
  {
    flag: "--file-layout <layout>",
    help: "original: the run folder numbered as the original code's (docs/original.md); default nnr's",
    parse: oneOf("--file-layout", ["nnr", "original"] as const),
    fields: ["layout"],
    request: (value: "nnr" | "original") => (value === "original" ? { layout: "original" } : {}),
    replay: "record",
  },
];

/** Every config flag, in the order `nnr train --help` lists them. */
export const CONFIG_FLAGS: readonly ConfigFlag[] = [
  ...modelFlags,
  ...dataFlags,
  ...noiseSourceFlags(),
  ...recipeFlags,
  ...toolingFlags,
  ...recordFlags,
];

/** Config fields no flag sets, and why: each is derived from another. */
export const DERIVED_FIELDS: Readonly<Record<string, string>> = {
  modelSha256: "computed from the --model file",
};

/** The long name of a row's flag: "--lr". */
export function longName(row: Pick<ConfigFlag, "flag">): string {
  return row.flag.split(" ")[0]!;
}

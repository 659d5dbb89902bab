import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Command, Option } from "commander";
import {
  NOISE_SOURCES,
  ORIGINAL_SOURCE_FLAGS,
  SEEDED_SOURCES,
  seedFlag,
  seedOf,
  switchFlag,
} from "../../contract/noise-sources.js";
import { readRunRecordFile } from "../../contract/run-record.js";
import { DATASET_NAMES } from "../../data/dataset-names.js";
import {
  chooseLaunch,
  type DistributedFlags,
  joinGroup,
  LAUNCH_FLAGS,
  launchWorldSize,
  runLocalRanks,
} from "../../distributed/train-launch.js";
import { CPU_CAPABILITIES } from "../../engine/cpu-kernels.js";
import { UserError } from "../../errors.js";
import { modelNames } from "../../nn/models/index.js";
import { RUN_JSON } from "../../run-folder/files.js";
import {
  type RunRecord,
  readRunRecord,
  resolveRunConfig,
  SETTING_NAMES,
  trainRun,
} from "../../train/index.js";
import { PRECISIONS } from "../../train/precision.js";
import { replayCpuCapability } from "../../train/replay-hardware.js";
import { replayVerdict } from "../../train/replay-verdict.js";
import { refuseFlagsBeside, refuseInapplicableFlags } from "../flags/inapplicable-flags.js";
import { addInitFlag } from "../flags/init-flag.js";
import {
  integerList,
  nonNegativeInteger,
  nonNegativeNumber,
  oneOf,
  positiveInteger,
  positiveNumber,
} from "../flags/parse.js";
import { outDirOf, type TrainFlags, trainRequest } from "../flags/train-request.js";
import { runProgress } from "../progress.js";
import type { RegisterCommand } from "./index.js";

export const registerTrain: RegisterCommand = (program) => {
  const command = program
    .command("train")
    .description("train one run under the chosen noise sources and write its run folder")
    .option(
      "--model <name>",
      `${modelNames().join(", ")} (default smallcnn), or an .onnx file (docs/your-model.md)`,
    )
    .option(
      "--dataset <name>",
      `${DATASET_NAMES.join(", ")} (default fashion-mnist)`,
      oneOf("--dataset", DATASET_NAMES),
    )
    .option(
      "--data-dir <dir>",
      "dataset folder (Fashion-MNIST: the system copy, else the bundled subset; npy, parquet: the arrays' or files' folder)",
    )
    .option(
      "--scale <x>",
      "npy, parquet: divide values by this to reach [0, 1] (default 255 for uint8, 1 for float32)",
      positiveNumber("--scale"),
    )
    .option(
      "--classes <n>",
      "npy, parquet: the number of classes (default: the largest label + 1)",
      positiveInteger("--classes"),
    )
    .option(
      "--layout <order>",
      "npy: nchw or nhwc, for a 4-D array whose shape does not say",
      oneOf("--layout", ["nchw", "nhwc"] as const),
    )
    .option("--out <dir>", "the run folder to write")
    .option(
      "--setting <name>",
      `${SETTING_NAMES.join(", ")}: the switches of ${NOISE_SOURCES.map((row) => row.name).join(", ")} at once (default algo+impl)`,
      oneOf("--setting", SETTING_NAMES),
    );
  addNoiseSourceFlags(command);
  addInitFlag(command);
  command
    .option("--perturb-init-ulp", "flip the last bit of one initial weight")
    .option("--epochs <n>", "epochs (default: the model's recipe)", positiveInteger("--epochs"))
    .option("--batch-size <n>", "batch size", positiveInteger("--batch-size"))
    .option(
      "--lr <x>",
      "learning rate (ImageNet recipe: the peak per 256 examples, scaled by batch size)",
      positiveNumber("--lr"),
    )
    .option("--optimizer <name>", "adam or sgd", oneOf("--optimizer", ["adam", "sgd"] as const))
    .option("--momentum <x>", "SGD momentum (SGD only)", nonNegativeNumber("--momentum"))
    .option("--l2 <x>", "L2 weight decay", nonNegativeNumber("--l2"))
    .option("--bn", "SmallCNN with BatchNorm (smallcnn only)")
    .option(
      "--kernel-size <k>",
      "MediumCNN kernel size (mediumcnn only)",
      positiveInteger("--kernel-size"),
    )
    .option("--threads <n>", "intra-op threads (default 1)", positiveInteger("--threads"))
    .option("--device <device>", "cpu, cuda or cuda:N (default cpu)")
    .option(
      "--memory-format <layout>",
      "contiguous or channels_last (default: channels_last for SmallCNN on CPU, else contiguous)",
      oneOf("--memory-format", ["contiguous", "channels_last"] as const),
    )
    .option(
      "--cpu-capability <isa>",
      "CPU kernels' vector ISA: auto (the machine's best), default (scalar), avx2, avx512",
      oneOf("--cpu-capability", CPU_CAPABILITIES),
    )
    .option(
      "--precision <p>",
      "fp32 (default), bf16 (autocast; CPU or CUDA) or fp16 (autocast and loss scaling; CUDA)",
      oneOf("--precision", PRECISIONS),
    )
    .option(
      "--tf32 <on|off>",
      "TF32 matmuls and convolutions on CUDA (default off)",
      oneOf("--tf32", ["on", "off"] as const),
    )
    .option("--cudnn-benchmark", "cuDNN autotuning (cuda, nondeterministic kernels only)")
    .option("--fast", `a quick run: ${3} epochs on the first 10,000 training examples`)
    .option(
      "--train-examples <n>",
      "use the first N training examples",
      positiveInteger("--train-examples"),
    )
    .option(
      "--test-examples <n>",
      "use the first N test examples",
      positiveInteger("--test-examples"),
    )
    .option(
      "--save-epochs <list>",
      "epochs to save predictions and weights at (default 10, every 50th, last)",
      integerList("--save-epochs"),
    )
    .option(
      "--trace",
      "record a hash of every parameter and gradient at every step (for nnr diverge)",
    )
    .option(
      "--replicate <n>",
      "replicate number recorded with the run",
      nonNegativeInteger("--replicate"),
    )
    .option("--replay <run.json>", "repeat a finished run with its seeds and settings")
    .option("--resume <dir>", "continue an interrupted run from its last complete epoch")
    .option(
      "--nproc <n>",
      "train over N local processes (data parallel, Gloo): each takes 1/N of every batch",
      positiveInteger("--nproc"),
    )
    .option(
      "--sync-batchnorm",
      "with --nproc: BatchNorm normalises with the global batch's statistics (SyncBatchNorm), not each process's",
    )
    .option(
      "--master-port <port>",
      "the rendezvous port of --nproc (default: a free one)",
      positiveInteger("--master-port"),
    )
    .option(
      "--dist-timeout <seconds>",
      "how long a rank waits for the others (rendezvous, every step; default 1800, as PyTorch)",
      positiveInteger("--dist-timeout"),
    );
  // The original scripts' flags, so their command lines run unchanged.
  for (const flag of ORIGINAL_SOURCE_FLAGS) {
    command.addOption(new Option(`--${flag}`).hideHelp());
  }
  command.addOption(new Option("--fp16").hideHelp());
  command.addOption(new Option("--ckpt_folder <dir>").hideHelp());
  command.addOption(new Option("--data_dir <dir>").hideHelp());
  command.addOption(
    new Option("--batch_size <n>").argParser(positiveInteger("--batch_size")).hideHelp(),
  );
  command.addOption(new Option("--eppchs <n>").argParser(positiveInteger("--eppchs")).hideHelp());
  command.addOption(
    new Option("--num_epoch <n>").argParser(positiveInteger("--num_epoch")).hideHelp(),
  );
  command.action(async (flags: CommandFlags) => {
    const result = await runTrainCommand(flags, givenFlags(command));
    if (result === null) return;
    console.log(
      `${result.outDir}: ${result.record.status}, weights sha256 ${result.record.weightsSha256}`,
    );
  });
};

/** Each noise source's switch, and each seeded source's seed (contract/noise-sources.ts). */
function addNoiseSourceFlags(command: Command): void {
  for (const row of NOISE_SOURCES) command.option(switchFlag(row.name), row.flagHelp);
  for (const source of SEEDED_SOURCES) {
    command.option(
      `${seedFlag(source)} <n>`,
      seedOf(source).flagHelp,
      nonNegativeInteger(seedFlag(source)),
    );
  }
}

/** The long names of the flags on the command line, e.g. ["--out", "--epochs"]. */
function givenFlags(command: Command): string[] {
  return command.options
    .filter((option) => command.getOptionValueSource(option.attributeName()) === "cli")
    .map((option) => option.long ?? option.flags);
}

type CommandFlags = TrainFlags & DistributedFlags & { replay?: string; resume?: string };

/** null: this process ran no rank of its own (the parent of --nproc, or a rank other than 0). */
async function runTrainCommand(
  flags: CommandFlags,
  given: readonly string[],
): Promise<{ outDir: string; record: RunRecord } | null> {
  if (flags.resume !== undefined) {
    refuseFlagsBeside(
      "--resume",
      given.filter((flag) => !LAUNCH_FLAGS.includes(flag)),
    );
    const record = readRunRecord(flags.resume);
    if (record === null) {
      throw new UserError(
        `--resume ${flags.resume}: not a run folder (no run.json); pass the folder of an earlier run${process.env.RANK ? " (on a shared filesystem, for every rank)" : ""}`,
      );
    }
    return train(flags.resume, { resume: true }, flags, record.config.worldSize ?? 1);
  }
  const outDir = outDirOf(flags);
  if (outDir === undefined) throw new UserError("pass --out DIR (the run folder to write)");
  const launch = chooseLaunch(flags.nproc);
  // Rank 0 decides whether the folder is free: by now it may have started writing it.
  const decidesFolder = launch.kind !== "rank" || launch.env.rank === 0;
  if (decidesFolder && existsSync(join(outDir, RUN_JSON))) {
    throw new UserError(
      `--out ${outDir} already holds a run; choose another folder or pass --resume ${outDir}`,
    );
  }
  if (flags.replay !== undefined) {
    refuseFlagsBeside("--replay", given);
    const record = readReplaySource(flags.replay);
    const cpuCapability = replayCpuCapability(record, (line) =>
      console.error(`nnr: --replay: ${line}`),
    );
    const result = await train(
      outDir,
      {
        config: { ...record.config, cpuCapability },
        seeds: record.seeds,
        replicate: record.replicate,
        pool: record.pool ?? null,
      },
      flags,
      record.config.worldSize ?? 1,
    );
    // Said once, by the process that owns the folder, after every rank has finished.
    if (decidesFolder) console.log(replayVerdict(record, readRunRecord(outDir)).line);
    return result;
  }
  const worldSize = launchWorldSize(launch);
  const config = resolveRunConfig({ ...trainRequest(flags), worldSize });
  refuseInapplicableFlags(flags, config);
  if (worldSize > 1 && config.device !== "cpu") {
    throw new UserError(
      `--device ${config.device}: training over several processes runs on the CPU (Gloo) only; drop --device or --nproc`,
    );
  }
  if (config.batchSize % worldSize !== 0) {
    throw new UserError(
      `--batch-size ${config.batchSize} does not split evenly over ${worldSize} processes; choose a multiple of ${worldSize}`,
    );
  }
  return train(outDir, { config, replicate: flags.replicate ?? 0 }, flags, worldSize);
}

function readReplaySource(path: string): RunRecord {
  const file = path.endsWith(RUN_JSON) ? path : join(path, RUN_JSON);
  let record: RunRecord | null;
  try {
    record = readRunRecordFile(file) as RunRecord | null;
  } catch (error) {
    throw new UserError(`--replay ${path}: not an nnr run.json (${(error as Error).message})`);
  }
  if (record === null) {
    throw new UserError(`--replay ${path}: no such run.json; pass DIR/run.json of a finished run`);
  }
  return record;
}

/** Trains one run (or resumes it) with a progress bar; `nnr original` trains through it too. */
export async function train(
  outDir: string,
  run:
    | { resume: true }
    | {
        config: RunRecord["config"];
        seeds?: RunRecord["seeds"];
        replicate: number;
        pool?: RunRecord["pool"];
      },
  flags: DistributedFlags,
  worldSize: number,
): Promise<{ outDir: string; record: RunRecord } | null> {
  const launch = chooseLaunch(flags.nproc ?? (worldSize > 1 ? worldSize : undefined));
  if (launch.kind === "parent") {
    await runLocalRanks(launch.nproc, flags, (line) => console.error(`nnr: ${line}`));
    return null;
  }
  const group = launch.kind === "rank" ? joinGroup(launch.env, flags) : null;
  const leader = group === null || group.isLeader;
  const progress = leader ? runProgress(outDir) : null;
  try {
    const recorded = "resume" in run ? readRunRecord(outDir)! : null;
    const result = await trainRun({
      outDir,
      ...("resume" in run
        ? { resume: true, config: recorded!.config, replicate: recorded!.replicate }
        : {
            config: run.config,
            replicate: run.replicate,
            pool: run.pool ?? null,
            ...(run.seeds ? { seeds: run.seeds } : {}),
          }),
      onProgress: (p) => progress?.update(p),
      log: (line) => progress?.log(line),
      group,
    });
    return leader ? { outDir, record: result.record } : null;
  } finally {
    progress?.stop();
    group?.destroy();
  }
}

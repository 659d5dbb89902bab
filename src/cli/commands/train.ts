import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Command, Option } from "commander";
import { ORIGINAL_SOURCE_FLAGS } from "../../contract/noise-sources.js";
import { readRunRecordFile } from "../../contract/run-record.js";
import {
  chooseLaunch,
  type DistributedFlags,
  joinGroup,
  LAUNCH_FLAGS,
  launchWorldSize,
  runLocalRanks,
} from "../../distributed/train-launch.js";
import { UserError } from "../../errors.js";
import { RUN_JSON } from "../../run-folder/files.js";
import { type RunRecord, readRunRecord, resolveRunConfig, trainRun } from "../../train/index.js";
import { replayCpuCapability } from "../../train/replay-hardware.js";
import { type ReplayOrigin, replayOrigin } from "../../train/replay-origin.js";
import { replayVerdict } from "../../train/replay-verdict.js";
import { CONFIG_FLAGS, type ConfigFlag } from "../flags/config-flags.js";
import { refuseFlagsBeside, refuseInapplicableFlags } from "../flags/inapplicable-flags.js";
import { nonNegativeInteger, positiveInteger } from "../flags/parse.js";
import { replayChangeFlags, replayedConfig } from "../flags/replay-changes.js";
import { outDirOf, type TrainFlags, trainRequest } from "../flags/train-request.js";
import { runProgress } from "../progress.js";
import type { RegisterCommand } from "./index.js";

export const registerTrain: RegisterCommand = (program) => {
  const command = declareTrainOptions(
    program
      .command("train")
      .description("train one run under the chosen noise sources and write its run folder"),
  );
  command.action(async (flags: CommandFlags) => {
    const result = await runTrainCommand(flags, givenFlags(command));
    if (result === null) return;
    console.log(
      `${result.outDir}: ${result.record.status}, weights sha256 ${result.record.weightsSha256}`,
    );
  });
};

/**
 * Every option of `nnr train`: the run folder, one per config field a plan can set (the
 * config-flags table), how the run starts, the launcher's, and the original scripts' names.
 */
export function declareTrainOptions(command: Command): Command {
  command.option("--out <dir>", "the run folder to write");
  for (const row of CONFIG_FLAGS) command.addOption(configOption(row));
  declareStartOptions(command);
  declareOriginalOptions(command);
  return command;
}

function configOption(row: ConfigFlag): Option {
  const option = new Option(row.flag, row.help);
  return row.parse === undefined ? option : option.argParser(row.parse);
}

/** How the run starts (new, replayed, resumed) and the rendezvous of --nproc's processes. */
function declareStartOptions(command: Command): void {
  command
    .option(
      "--replicate <n>",
      "replicate number recorded with the run",
      nonNegativeInteger("--replicate"),
    )
    .option(
      "--replay <run.json>",
      "repeat a finished run with its seeds and settings; with config flags beside it (--threads 2, --lr 0.02, --deterministic-impl), with those changed",
    )
    .option("--resume <dir>", "continue an interrupted run from its last complete epoch")
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
}

/** The original scripts' flags, so their command lines run unchanged. */
function declareOriginalOptions(command: Command): void {
  for (const flag of ORIGINAL_SOURCE_FLAGS) {
    command.addOption(new Option(`--${flag}`).hideHelp());
  }
  command.addOption(new Option("--fp16").hideHelp());
  command.addOption(new Option("--ckpt_folder <dir>").hideHelp());
  command.addOption(new Option("--data_dir <dir>").hideHelp());
  for (const flag of ["--batch_size", "--eppchs", "--num_epoch"]) {
    command.addOption(new Option(`${flag} <n>`).argParser(positiveInteger(flag)).hideHelp());
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
type Trained = { outDir: string; record: RunRecord } | null;

async function runTrainCommand(flags: CommandFlags, given: readonly string[]): Promise<Trained> {
  if (flags.resume !== undefined) return resumeRun(flags.resume, flags, given);
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
    return replayRun(flags.replay, outDir, flags, given, decidesFolder);
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

async function resumeRun(dir: string, flags: CommandFlags, given: readonly string[]) {
  refuseFlagsBeside(
    "--resume",
    given.filter((flag) => !LAUNCH_FLAGS.includes(flag)),
  );
  const record = readRunRecord(dir);
  if (record === null) {
    throw new UserError(
      `--resume ${dir}: not a run folder (no run.json); pass the folder of an earlier run${process.env.RANK ? " (on a shared filesystem, for every rank)" : ""}`,
    );
  }
  return train(dir, { resume: true }, flags, record.config.worldSize ?? 1);
}

/**
 * Repeats a recorded run with its seeds, on its CPU kernels where this machine has them, with
 * the changes the config flags beside --replay make; records which run it repeats and what
 * changed (replayOf), and says whether the weights hash is the recorded one and whether that
 * was expected.
 */
async function replayRun(
  source: string,
  outDir: string,
  flags: CommandFlags,
  given: readonly string[],
  decidesFolder: boolean,
): Promise<Trained> {
  const rows = replayChangeFlags(given);
  const record = readReplaySource(source);
  const cpuCapability = replayCpuCapability(record, (line) =>
    console.error(`nnr: --replay: ${line}`),
  );
  const base = { ...record.config, cpuCapability };
  const replayed = replayedConfig(base, record.config, flags, rows);
  const result = await train(
    outDir,
    {
      config: replayed.config,
      seeds: record.seeds,
      replicate: record.replicate,
      pool: record.pool ?? null,
      replayOf: replayOrigin(source, record, replayed.changed),
    },
    flags,
    record.config.worldSize ?? 1,
  );
  // Said once, by the process that owns the folder, after every rank has finished.
  if (decidesFolder) {
    const changes = rows.length > 0 ? replayed.kinds : undefined;
    console.log(replayVerdict(record, readRunRecord(outDir), changes).line);
  }
  return result;
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
        replayOf?: ReplayOrigin;
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
            ...(run.replayOf ? { replayOf: run.replayOf } : {}),
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

/**
 * One training run, start to finish, as the original's training scripts do it: seeds drawn or
 * fixed per noise source and recorded, predictions and checkpoints at the original's epochs,
 * and a resume checkpoint after every epoch so a killed run continues bit-identically.
 */
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { DataLoader } from "../data/loader.js";
import { checkBatchSplit, DataParallel } from "../distributed/data-parallel.js";
import type { ProcessGroup } from "../distributed/process-group.js";
import { configureDeterminism, engineInfo, Generator, pinCpuCapability } from "../engine/index.js";
import { UserError } from "../errors.js";
import { loadTrainingCheckpoint, saveTrainingCheckpoint, saveWeights } from "../nn/checkpoint.js";
import type { GradScalerState } from "../nn/optim/index.js";
import {
  CURRENT_RUN_FORMAT,
  checkpointFile,
  logEpochFor,
  RESUME_CHECKPOINT,
} from "../run-folder/files.js";
import type { RunPool } from "../run-folder/pool.js";
import { NNR_VERSION } from "../version.js";
import { fileEpoch, type RunConfig } from "./config.js";
import { evaluationTransforms, loadRunData, unpackRunDataAhead } from "./data-setup.js";
import { type EpochProgress, trainEpoch } from "./epoch.js";
import { evaluate } from "./evaluate.js";
import { trainingPrecision } from "./mixed-precision.js";
import { buildModel, buildOptimizer, buildSchedule, perturbOneWeight } from "./model-setup.js";
import { runGroupName } from "./pool.js";
import type { RunRecord } from "./record.js";
import {
  type LogRow,
  readRunRecord,
  writeLogCsv,
  writePredictions,
  writeRunRecord,
  writeTestLabels,
} from "./run-folder.js";
import { drawSeeds, type RunSeeds } from "./seeds.js";
import { TraceRecorder } from "./trace.js";
import { stateDictSha256 } from "./weights-hash.js";

export interface TrainRunOptions {
  config: RunConfig;
  outDir: string;
  replicate: number;
  /** Continue the run in outDir (or return at once if it is complete). */
  resume?: boolean;
  /** Replay: use these seeds instead of drawing new ones. */
  seeds?: RunSeeds;
  /** The pool this run is a member of (e.g. the tooling study), if any. */
  pool?: RunPool | null;
  onProgress?: (progress: EpochProgress) => void;
  log?: (line: string) => void;
  /**
   * This process's group when the run spans several processes. Rank 0 decides the start
   * (seeds, resume point) and alone writes the run folder; a resume reads the folder's
   * checkpoint on every rank (a shared filesystem across machines).
   */
  group?: ProcessGroup | null;
}

export interface TrainRunResult {
  status: "complete";
  weightsSha256: string;
  seconds: number;
  record: RunRecord;
}

interface ResumeMetadata {
  epochsDone: number;
  globalStep: number;
  loader: ConstructorParameters<typeof DataLoader>[2];
  rows: LogRow[];
  /** Size of trace.jsonl at this epoch's end (with --trace). */
  traceBytes: number | null;
  /** fp16's loss scale, so a resumed run scales as the uninterrupted one would. */
  scaler?: GradScalerState | null;
}

const CPU_IMPL_NOTE =
  "impl noise is off in effect: on CPU at a fixed thread count libtorch's kernels are deterministic; vary the tooling (threads, memory format, device) to see implementation noise";

export async function trainRun(options: TrainRunOptions): Promise<TrainRunResult> {
  const { outDir, replicate } = options;
  const group = options.group ?? null;
  const leader = group === null || group.isLeader;
  const log = leader ? (options.log ?? (() => {})) : () => {};
  const decideStart = () => {
    const found = readRunRecord(outDir);
    if (found !== null && !options.resume) {
      throw new UserError(
        `${outDir} already holds a run (${found.status}); pass --resume to continue it, or choose another --out`,
      );
    }
    const config = found?.config ?? options.config;
    const seeds = found?.seeds ?? options.seeds ?? drawSeeds(config);
    return { previous: found, config, seeds };
  };
  const start = group === null ? decideStart() : group.share("start", decideStart);
  const previous = start.previous;
  if (previous?.status === "complete") {
    return {
      status: "complete",
      weightsSha256: previous.weightsSha256!,
      seconds: previous.seconds,
      record: previous,
    };
  }
  const { config, seeds } = start;
  if (group !== null && config.device !== "cpu") {
    throw new UserError(
      `device ${config.device}: training over several processes runs on the CPU (Gloo) only`,
    );
  }
  if ((config.worldSize ?? 1) !== (group?.worldSize ?? 1)) {
    throw new UserError(
      `${outDir} was trained over ${config.worldSize ?? 1} process(es) and this run has ${group?.worldSize ?? 1}; resume it with --nproc ${config.worldSize ?? 1}`,
    );
  }
  const unpacking = unpackRunDataAhead(config);
  // Before the first tensor: the ISA is fixed when libtorch loads.
  pinCpuCapability(config.cpuCapability ?? "auto");
  configureDeterminism({
    deterministic: config.deterministic.impl,
    threads: config.threads,
    cudnnBenchmark: config.cudnnBenchmark,
    // TF32 exists only on CUDA; on CPU the setting is left alone (it does nothing there).
    ...(config.device.startsWith("cuda") ? { allowTF32: config.tf32 ?? false } : {}),
  });
  const precision = trainingPrecision(config.precision ?? "fp32", config.device);

  await unpacking;
  const data = loadRunData(config, log);
  const multilabel = data.train.kind === "multilabel";
  const classes = data.train.classNames.length;
  const init = new Generator(seeds.init, "init");
  const loaderOptions = {
    batchSize: config.batchSize,
    shuffle: config.shuffle,
    inputSeed: seeds.input,
    dropRemainder: config.dropRemainder,
    transforms: config.transforms,
    ...(group === null ? {} : { slice: { rank: group.rank, worldSize: group.worldSize } }),
  };
  const probeLoader = new DataLoader(data.train, loaderOptions);
  if (group !== null) {
    const remainder = config.dropRemainder ? 0 : data.train.length % config.batchSize;
    checkBatchSplit(config.batchSize, remainder, group.worldSize);
  }
  const model = buildModel(config, probeLoader.outputShape, classes, init);
  const perturbation = config.perturbInitUlp ? perturbOneWeight(model, init) : null;
  const optimizer = buildOptimizer(config, model);
  const schedule = buildSchedule(config, probeLoader.batchesPerEpoch);
  const checkpointPath = join(outDir, RESUME_CHECKPOINT);

  let resumed: ResumeMetadata | null = null;
  const resumeFromCheckpoint =
    group === null
      ? existsSync(checkpointPath)
      : group.share("resume", () => existsSync(checkpointPath));
  if (previous !== null && resumeFromCheckpoint) {
    if (!existsSync(checkpointPath)) {
      throw new UserError(
        `rank ${group?.rank}: cannot read ${checkpointPath}; resuming a run over several machines needs its folder on a filesystem every rank shares`,
      );
    }
    resumed = loadTrainingCheckpoint(checkpointPath, {
      model,
      optimizer,
      generators: [init],
    }) as unknown as ResumeMetadata;
    if (precision.scaler !== null && resumed.scaler) precision.scaler.load(resumed.scaler);
    log(`resuming ${outDir} after epoch ${resumed.epochsDone}`);
  }
  const dataParallel =
    group === null
      ? null
      : new DataParallel(group, model, { syncBatchNorm: config.syncBatchNorm ?? false });
  dataParallel?.syncInitialState();
  const loader = resumed?.loader
    ? new DataLoader(data.train, loaderOptions, resumed.loader)
    : probeLoader;
  const record: RunRecord = previous ?? {
    format: CURRENT_RUN_FORMAT,
    status: "running",
    group: runGroupName(config, options.pool),
    replicate,
    config,
    pool: options.pool ?? null,
    seeds,
    task: {
      kind: data.test.kind,
      classes,
      classNames: data.test.classNames,
      testExamples: data.test.length,
    },
    engine: engineInfo(),
    data: {
      train: loader.describe(),
      test: {
        name: data.test.name,
        split: data.test.split,
        length: data.test.length,
        shape: data.test.shape,
        source: data.test.source,
      },
    },
    nnr: { version: NNR_VERSION },
    perturbation,
    notes: config.device === "cpu" && !config.deterministic.impl ? [CPU_IMPL_NOTE] : [],
    epochsDone: 0,
    predictions: {},
    checkpoints: {},
    startedAt: new Date().toISOString(),
    seconds: 0,
    ...(dataParallel === null ? {} : { distributed: dataParallel.record() }),
  };
  record.status = "running";
  delete record.error;
  const writeRecord = () => leader && writeRunRecord(outDir, record);
  // Made only now: a run refused while it sets up (data, model, options) leaves no empty folder.
  if (leader) mkdirSync(outDir, { recursive: true });
  writeRecord();
  if (leader) writeTestLabels(outDir, data.test);

  const trace =
    config.trace && leader ? new TraceRecorder(outDir, model, resumed?.traceBytes ?? null) : null;
  const rows: LogRow[] = resumed?.rows ?? [];
  let globalStep = resumed?.globalStep ?? 0;
  const evalTransforms = evaluationTransforms(config.transforms);
  const saveEpochs = new Set([...config.saveEpochs, config.epochs]);
  try {
    for (let epoch = resumed?.epochsDone ?? 0; epoch < config.epochs; epoch++) {
      const started = performance.now();
      const trained = await trainEpoch(
        {
          config,
          model,
          optimizer,
          schedule,
          loader,
          multilabel,
          classes,
          onProgress: leader ? options.onProgress : undefined,
          trace,
          precision,
          dataParallel,
        },
        epoch,
        globalStep,
      );
      globalStep = trained.globalStep;
      if (!leader) continue;
      const evaluation = await evaluate(model, data.test, evalTransforms, config.device, precision);
      const epochNumber = epoch + 1;
      // The original's layout logs Keras's 0-based index; nnr's the count (nnr-run/2).
      const fileNumber = fileEpoch(config, epochNumber);
      rows.push({
        ...trained.row,
        epoch: config.layout === "original" ? fileNumber : logEpochFor(record.format, epochNumber),
        ...validationColumns(evaluation, multilabel),
      });
      writeLogCsv(outDir, rows);
      if (saveEpochs.has(epochNumber)) {
        record.predictions[fileNumber] = writePredictions(outDir, fileNumber, evaluation, {
          classes,
          multilabel,
          probabilities: config.layout !== "original",
        });
        const checkpoint = checkpointFile(fileNumber);
        saveWeights(join(outDir, checkpoint), model, {
          epoch: String(fileNumber),
          group: record.group,
        });
        record.checkpoints[fileNumber] = checkpoint;
      }
      const traceBytes = trace?.flush() ?? null;
      const metadata: ResumeMetadata = {
        epochsDone: epochNumber,
        globalStep,
        loader: loader.state(),
        rows,
        traceBytes,
        scaler: precision.scaler?.state() ?? null,
      };
      saveTrainingCheckpoint(
        checkpointPath,
        { model, optimizer, generators: [init] },
        metadata as unknown as Record<string, unknown>,
      );
      record.epochsDone = epochNumber;
      record.seconds += (performance.now() - started) / 1000;
      writeRecord();
      log(
        `epoch ${epochNumber}/${config.epochs}: loss ${fmt(trained.row.loss)}, val accuracy ${fmt(evaluation.accuracy)}`,
      );
    }
    // Rank 0 may write "complete" only once every rank has finished its last step.
    group?.barrier();
    record.weightsSha256 = stateDictSha256(model.stateDict());
    record.status = "complete";
    record.finishedAt = new Date().toISOString();
    writeRecord();
    // Only an unfinished run needs it; it holds the optimizer state too (3× the weights).
    if (leader) rmSync(checkpointPath, { force: true });
    return {
      status: "complete",
      weightsSha256: record.weightsSha256,
      seconds: record.seconds,
      record,
    };
  } catch (error) {
    record.status = "failed";
    record.error = error instanceof Error ? error.message : String(error);
    writeRecord();
    throw error;
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}

function validationColumns(
  evaluation: Awaited<ReturnType<typeof evaluate>>,
  multilabel: boolean,
): LogRow {
  if (!multilabel || evaluation.counts === null)
    return { val_accuracy: evaluation.accuracy, val_loss: evaluation.loss };
  const { tp, tn, fp, fn } = evaluation.counts;
  return {
    val_binary_accuracy: evaluation.accuracy,
    val_loss: evaluation.loss,
    val_true_positives: tp,
    val_true_negatives: tn,
    val_false_positives: fp,
    val_false_negatives: fn,
  };
}

const fmt = (x: number | undefined) => (x === undefined ? "?" : x.toFixed(4));

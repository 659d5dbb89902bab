/**
 * Everything a run trains with, from its config and seeds: determinism and kernel switches,
 * the data, the init generator, the model (and its perturbed weight), the optimizer and the
 * schedule; then, on a resume, their state from the folder's checkpoint.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DataLoader } from "../data/loader.js";
import { checkBatchSplit } from "../distributed/data-parallel.js";
import type { ProcessGroup } from "../distributed/process-group.js";
import { configureDeterminism, Generator, pinCpuCapability } from "../engine/index.js";
import { UserError } from "../errors.js";
import { loadTrainingCheckpoint } from "../nn/checkpoint.js";
import type { Model } from "../nn/models/index.js";
import type { GradScalerState, Optimizer } from "../nn/optim/index.js";
import type { LrSchedule } from "../nn/schedules.js";
import { OnnxClassifier } from "../onnx/index.js";
import { RESUME_CHECKPOINT } from "../run-folder/files.js";
import type { RunConfig } from "./config.js";
import { loadRunData, type RunData, unpackRunDataAhead } from "./data-setup.js";
import { isOnnxModelPath } from "./imported-model.js";
import { type TrainingPrecision, trainingPrecision } from "./mixed-precision.js";
import { buildModel, buildOptimizer, buildSchedule, perturbOneWeight } from "./model-setup.js";
import type { LogRow } from "./run-folder.js";
import { dropoutGenerator, type RunSeeds } from "./seeds.js";

export interface RunSetup {
  data: RunData;
  multilabel: boolean;
  classes: number;
  /** The init noise source's generator; its state goes in the resume checkpoint. */
  init: Generator;
  /** Every generator the resume checkpoint holds: init's, and the dropout source's. */
  generators: Generator[];
  /** What the model says of itself for run.json's notes (an import's losses, e.g.). */
  modelNotes: string[];
  loaderOptions: ConstructorParameters<typeof DataLoader>[1];
  /** The loader of a run from its start (a resume makes its own from the checkpoint). */
  freshLoader: DataLoader;
  model: Model;
  perturbation: { parameter: string; index: number } | null;
  optimizer: Optimizer;
  schedule: LrSchedule;
  precision: TrainingPrecision;
}

/** What the resume checkpoint holds besides the weights, optimizer and generator states. */
export interface ResumeMetadata {
  epochsDone: number;
  globalStep: number;
  loader: ConstructorParameters<typeof DataLoader>[2];
  rows: LogRow[];
  /** Size of trace.jsonl at this epoch's end (with --trace). */
  traceBytes: number | null;
  /** fp16's loss scale, so a resumed run scales as the uninterrupted one would. */
  scaler?: GradScalerState | null;
}

export async function setUpRun(
  config: RunConfig,
  seeds: RunSeeds,
  group: ProcessGroup | null,
  log: (line: string) => void,
): Promise<RunSetup> {
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
  const data = await loadRunData(config, log);
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
  const freshLoader = new DataLoader(data.train, loaderOptions);
  if (group !== null) {
    const remainder = config.dropRemainder ? 0 : data.train.length % config.batchSize;
    checkBatchSplit(config.batchSize, remainder, group.worldSize);
  }
  const dropout = dropoutGenerator(seeds, init, isOnnxModelPath(config.model));
  const model = buildModel(config, freshLoader.outputShape, classes, init, dropout);
  const modelNotes = model instanceof OnnxClassifier ? [...model.notes] : [];
  // The dropout generator resumes with the init one, so a resume is exact.
  const generators = dropout === null ? [init] : [init, dropout];
  for (const note of modelNotes) log(note);
  const perturbation = config.perturbInitUlp ? perturbOneWeight(model, init) : null;
  const optimizer = buildOptimizer(config, model);
  const schedule = buildSchedule(config, freshLoader.batchesPerEpoch);
  const multilabel = data.train.kind === "multilabel";
  return {
    data,
    multilabel,
    classes,
    init,
    generators,
    modelNotes,
    loaderOptions,
    freshLoader,
    model,
    perturbation,
    optimizer,
    schedule,
    precision,
  };
}

/**
 * Loads the resume checkpoint into the set-up's model, optimizer, generator and loss scaler
 * when the folder's run has one; returns its metadata, or null for a run from the start.
 */
export function resumeFromCheckpoint(
  setup: RunSetup,
  resuming: boolean,
  outDir: string,
  group: ProcessGroup | null,
  log: (line: string) => void,
): ResumeMetadata | null {
  const checkpointPath = join(outDir, RESUME_CHECKPOINT);
  const found =
    group === null
      ? existsSync(checkpointPath)
      : group.share("resume", () => existsSync(checkpointPath));
  if (!resuming || !found) return null;
  if (!existsSync(checkpointPath)) {
    throw new UserError(
      `rank ${group?.rank}: cannot read ${checkpointPath}; resuming a run over several machines needs its folder on a filesystem every rank shares`,
    );
  }
  const resumed = loadTrainingCheckpoint(checkpointPath, {
    model: setup.model,
    optimizer: setup.optimizer,
    generators: setup.generators,
  }) as unknown as ResumeMetadata;
  if (setup.precision.scaler !== null && resumed.scaler)
    setup.precision.scaler.load(resumed.scaler);
  log(`resuming ${outDir} after epoch ${resumed.epochsDone}`);
  return resumed;
}

/** The loader that continues where the checkpoint left off, or the fresh one. */
export function runLoader(setup: RunSetup, resumed: ResumeMetadata | null): DataLoader {
  return resumed?.loader
    ? new DataLoader(setup.data.train, setup.loaderOptions, resumed.loader)
    : setup.freshLoader;
}

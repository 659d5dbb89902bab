/**
 * Times training steps of one model with the default kernels and with deterministic ones:
 * same weights, same batch (drawn from a fixed generator), same Adam, warm-up first, and the
 * two modes interleaved across repeats (default first on even repeats, deterministic first on
 * odd ones) so drift cancels. On CUDA a block is timed by CUDA events (GPU time, as the
 * original's nvprof figures were); elsewhere by the wall clock, with CUDA synchronised.
 */
import {
  CudaTimer,
  configureDeterminism,
  cudaTimingAvailable,
  determinismState,
  Generator,
  keep,
  noGrad,
  randint,
  randn,
  synchronize,
  type Tensor,
  tidy,
} from "../../engine/index.js";
import { Adam, categoricalCrossEntropy } from "../../nn/index.js";
import { createModel, type Model } from "../../nn/models/index.js";
import type { ModelMemoryFormat } from "../../nn/module.js";
import type { StudyModel } from "./models.js";
import { onnxStudyModel } from "./onnx-model.js";
import { summarize, type TimingSummary } from "./stats.js";

export interface OverheadSettings {
  device: string;
  threads: number;
  batchSize: number;
  /** Training steps per timed measurement. */
  iterations: number;
  /** Timed measurements per mode; each figure is their median. */
  repeats: number;
  /** Untimed steps per mode before the first measurement. */
  warmup: number;
  /** Height and width of the (square, 3-channel) inputs. */
  imageSize: number;
  memoryFormat: ModelMemoryFormat;
  /** Seed of the weights and of the batch. */
  seed: number;
  /** cuDNN autotuning in the default mode (never with deterministic kernels). */
  cudnnBenchmark: boolean;
}

export const DEFAULT_SETTINGS: OverheadSettings = {
  device: "cpu",
  threads: 1,
  batchSize: 128,
  iterations: 100,
  repeats: 5,
  warmup: 5,
  imageSize: 224,
  memoryFormat: "contiguous",
  seed: 0,
  cudnnBenchmark: false,
};

/** How the steps were timed: GPU time between CUDA events, or the host's wall clock. */
export type OverheadTimer = "cuda-events" | "wall-clock";

export function overheadTimer(device: string): OverheadTimer {
  return cudaTimingAvailable(device) ? "cuda-events" : "wall-clock";
}

export interface OverheadMeasurement {
  model: string;
  timer: OverheadTimer;
  /** Milliseconds per training step. */
  defaultMs: TimingSummary;
  deterministicMs: TimingSummary;
  /** Median deterministic time / median default time. */
  overhead: number;
}

/** One model's training step, reset to the same weights and a fresh Adam before each block. */
class StepTimer {
  readonly #model: Model;
  readonly #initial: Map<string, Tensor>;
  readonly #images: Tensor;
  readonly #labels: Tensor;
  readonly #gpuTimer: CudaTimer | null;

  constructor(study: StudyModel, settings: OverheadSettings) {
    const { imageSize, device } = settings;
    this.#model =
      study.file === undefined
        ? createModel(study.name, {
            generator: new Generator(settings.seed, "init"),
            inputShape: [3, imageSize, imageSize],
            memoryFormat: settings.memoryFormat,
            device,
            ...(study.kernelSize === undefined ? {} : { kernelSize: study.kernelSize }),
          })
        : onnxStudyModel(study.file, settings);
    this.#model.train();
    this.#gpuTimer = overheadTimer(device) === "cuda-events" ? new CudaTimer(device) : null;
    this.#initial = new Map(
      [...this.#model.stateDict()].map(([name, t]) => [name, keep(noGrad(() => t.clone()))]),
    );
    const input = new Generator(settings.seed, "input");
    const shape = [settings.batchSize, ...this.#model.inputShape];
    this.#images = keep(tidy(() => randn(shape, input).to({ device })));
    this.#labels = keep(
      tidy(() =>
        randint(0, this.#model.classes, [settings.batchSize], input, { dtype: "int64" }).to({
          device,
        }),
      ),
    );
  }

  /** Milliseconds per step over `steps` steps from the initial weights. */
  time(steps: number): number {
    this.#model.loadStateDict(this.#initial);
    const optimizer = new Adam(this.#model.parameters(), { lr: 1e-3 });
    try {
      synchronize();
      const start = performance.now();
      this.#gpuTimer?.start();
      for (let step = 0; step < steps; step++) {
        tidy(() => {
          optimizer.zeroGrad();
          categoricalCrossEntropy(this.#model.forward(this.#images), this.#labels).backward();
          optimizer.step();
        });
      }
      if (this.#gpuTimer !== null) return this.#gpuTimer.stop() / steps;
      synchronize();
      return (performance.now() - start) / steps;
    } finally {
      optimizer.dispose();
      this.#model.zeroGrad();
    }
  }

  dispose(): void {
    this.#model.dispose();
    for (const tensor of this.#initial.values()) tensor.dispose();
    this.#images.dispose();
    this.#labels.dispose();
  }
}

/**
 * Measures one model; the determinism settings in force before are restored after.
 * `onEstimate` hears, after the first warm-up block, the milliseconds a step took and how
 * many steps remain: on a CPU the big models at the original's sizes take hours, and a user
 * should learn that in seconds.
 */
export function measureModel(
  study: StudyModel,
  settings: OverheadSettings,
  onEstimate?: (msPerStep: number, stepsLeft: number) => void,
): OverheadMeasurement {
  const before = determinismState();
  const timer = new StepTimer(study, settings);
  const useMode = (deterministic: boolean) =>
    configureDeterminism({
      deterministic,
      threads: settings.threads,
      cudnnBenchmark: !deterministic && settings.cudnnBenchmark,
    });
  try {
    const timedSteps = 2 * settings.repeats * settings.iterations;
    for (const deterministic of [false, true]) {
      useMode(deterministic);
      if (settings.warmup === 0) continue;
      const msPerStep = timer.time(settings.warmup);
      if (!deterministic) onEstimate?.(msPerStep, settings.warmup + timedSteps);
    }
    const samples = { default: [] as number[], deterministic: [] as number[] };
    for (let repeat = 0; repeat < settings.repeats; repeat++) {
      const order = repeat % 2 === 0 ? [false, true] : [true, false];
      for (const deterministic of order) {
        useMode(deterministic);
        const ms = timer.time(settings.iterations);
        (deterministic ? samples.deterministic : samples.default).push(ms);
      }
    }
    const defaultMs = summarize(samples.default);
    const deterministicMs = summarize(samples.deterministic);
    return {
      model: study.label,
      timer: overheadTimer(settings.device),
      defaultMs,
      deterministicMs,
      overhead: deterministicMs.median / defaultMs.median,
    };
  } finally {
    timer.dispose();
    configureDeterminism({
      deterministic: before.deterministicAlgorithms,
      threads: before.threads,
      cudnnBenchmark: before.cudnnBenchmark,
    });
  }
}

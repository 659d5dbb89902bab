/**
 * The original's experiments as plan specs, at three scales:
 * - `fast`: minutes on a laptop CPU — a training subset, a few epochs, 2–3 replicates;
 * - `default`: the full training sets at a fraction of the epochs, 5 replicates;
 * - `paper`: the original's epochs and replicate counts (10 per setting; 5 for ImageNet).
 * docs/experiments.md carries the same table.
 */
import type { CpuCapability } from "../engine/cpu-kernels.js";
import { UserError } from "../errors.js";
import { originalSaveEpochs } from "../train/config.js";
import type { Grid, PlanSpec } from "./plan-spec.js";
import { validatePlanSpec } from "./plan-spec.js";

export const SCALES = ["fast", "default", "paper"] as const;
export type Scale = (typeof SCALES)[number];

/** Size of one model × dataset at one scale. null = the whole split. */
export interface Size {
  epochs: number;
  replicates: number;
  trainExamples: number | null;
  testExamples: number | null;
}

type Setup = "fashion-smallcnn" | "cifar-smallcnn" | "cifar-resnet18" | "celeba" | "imagenet";

export const SIZES: Record<Setup, Record<Scale, Size>> = {
  "fashion-smallcnn": {
    fast: { epochs: 3, replicates: 3, trainExamples: 10_000, testExamples: null },
    default: { epochs: 10, replicates: 5, trainExamples: null, testExamples: null },
    paper: { epochs: 200, replicates: 10, trainExamples: null, testExamples: null },
  },
  "cifar-smallcnn": {
    fast: { epochs: 3, replicates: 3, trainExamples: 10_000, testExamples: null },
    default: { epochs: 30, replicates: 5, trainExamples: null, testExamples: null },
    paper: { epochs: 200, replicates: 10, trainExamples: null, testExamples: null },
  },
  "cifar-resnet18": {
    fast: { epochs: 1, replicates: 2, trainExamples: 2_000, testExamples: null },
    default: { epochs: 30, replicates: 5, trainExamples: null, testExamples: null },
    paper: { epochs: 200, replicates: 10, trainExamples: null, testExamples: null },
  },
  celeba: {
    fast: { epochs: 1, replicates: 2, trainExamples: 2_000, testExamples: 2_000 },
    default: { epochs: 10, replicates: 5, trainExamples: null, testExamples: null },
    paper: { epochs: 10, replicates: 10, trainExamples: null, testExamples: null },
  },
  imagenet: {
    fast: { epochs: 1, replicates: 2, trainExamples: 2_000, testExamples: 1_000 },
    default: { epochs: 16, replicates: 3, trainExamples: null, testExamples: null },
    paper: { epochs: 90, replicates: 5, trainExamples: null, testExamples: null },
  },
};

function sized(grid: Omit<Grid, "base" | "replicates">, setup: Setup, scale: Scale): Grid {
  const size = SIZES[setup][scale];
  return {
    ...grid,
    replicates: size.replicates,
    base: {
      epochs: size.epochs,
      trainExamples: size.trainExamples,
      testExamples: size.testExamples,
      // A fast run keeps only its final predictions; longer ones the original's epochs.
      saveEpochs: scale === "fast" ? [size.epochs] : originalSaveEpochs(size.epochs),
    },
  };
}

/**
 * The demo's recipe: SmallCNN with BatchNorm, trained well in one epoch. Adam at 1e-2 decayed
 * linearly to zero per step, and BatchNorm statistics with PyTorch's momentum (0.1): Keras's
 * 0.01 averages over ~100 steps, which lags a run this short and fast (measured: 40 % test
 * accuracy against 85 %). channels_last is the faster layout for this model on CPU.
 */
export const DEMO_RECIPE = {
  batchNorm: true,
  batchNormMomentum: 0.1,
  optimizer: { lr: 1e-2 },
  schedule: "linear-decay",
  memoryFormat: "channels_last",
} as const;

/** The demo's size at each scale: replicates per setting (ALGO+IMPL, ALGO; IMPL, Control). */
export const DEMO_SIZES: Record<
  Scale,
  { epochs: number; trainExamples: number | null; noisy: number; fixed: number }
> = {
  fast: { epochs: 1, trainExamples: 33_000, noisy: 10, fixed: 2 },
  default: { epochs: 10, trainExamples: null, noisy: 10, fixed: 3 },
  paper: { epochs: 200, trainExamples: null, noisy: 10, fixed: 10 },
};

function demoGrids(scale: Scale, machine: Machine): Grid[] {
  const size = DEMO_SIZES[scale];
  const base = {
    ...DEMO_RECIPE,
    epochs: size.epochs,
    trainExamples: size.trainExamples,
    testExamples: null,
    saveEpochs: scale === "fast" ? [size.epochs] : originalSaveEpochs(size.epochs),
  };
  const where = { models: ["smallcnn"], datasets: ["fashion-mnist" as const] };
  return [
    // First, so that its slow and wide runs start while the others fill the other core.
    // The tooling alone, each seed fixed, one change at a time from the runs' own tooling. The
    // ISA is the machine's best against the next one down (AVX-512 against AVX2, or AVX2
    // against ATen's scalar kernels).
    {
      ...where,
      settings: ["control"],
      options: {
        threads: [1, 2],
        memoryFormat: ["channels_last", "contiguous"],
        cpuCapability: ["auto", machine.cpuCapabilities.at(-2) ?? "default"],
      },
      design: "one-at-a-time",
      pool: "tooling",
      replicates: 1,
      base,
    },
    { ...where, settings: ["algo+impl", "algo"], replicates: size.noisy, base },
    // With both seeds fixed, a few runs suffice to show whether the kernels add anything.
    { ...where, settings: ["impl", "control"], replicates: size.fixed, base },
  ];
}

/**
 * What a preset may adapt to: the tooling study adds CUDA where there is a GPU, and 2
 * data-parallel ranks where there are 2 cores.
 */
export interface Machine {
  cudaDevices: number;
  /** CPU cores the runs may use (os.availableParallelism()). */
  cores: number;
  /** The CPU kernels' ISAs this CPU runs, best last (engine/cpu-kernels.ts). */
  cpuCapabilities: readonly CpuCapability[];
}

interface Preset {
  description: string;
  grids(scale: Scale, machine: Machine): Grid[];
  /** Why the preset cannot run in this version, if it cannot. */
  unavailable?: string;
}

export const PRESETS: Record<string, Preset> = {
  demo: {
    description:
      "SmallCNN with BatchNorm on Fashion-MNIST: the four settings, and a tooling panel (threads, layout, vector ISA) with every seed fixed",
    grids: demoGrids,
  },
  figure1: {
    description:
      "std(accuracy), churn and L2 for SmallCNN CIFAR-10, ResNet18 CIFAR-10/100, ResNet50 ImageNet",
    grids: (scale) => [
      sized({ models: ["smallcnn"], datasets: ["cifar10"] }, "cifar-smallcnn", scale),
      sized({ models: ["resnet18"], datasets: ["cifar10", "cifar100"] }, "cifar-resnet18", scale),
      sized({ models: ["resnet50"], datasets: ["imagenet"] }, "imagenet", scale),
    ],
  },
  figure2: {
    description: "SmallCNN CIFAR-10 with and without BatchNorm",
    grids: (scale) => [
      sized(
        { models: ["smallcnn"], datasets: ["cifar10"], options: { batchNorm: [false, true] } },
        "cifar-smallcnn",
        scale,
      ),
    ],
  },
  figure3: {
    description: "per-class accuracy spread: SmallCNN and ResNet18 on CIFAR-10",
    grids: (scale) => [
      sized({ models: ["smallcnn"], datasets: ["cifar10"] }, "cifar-smallcnn", scale),
      sized({ models: ["resnet18"], datasets: ["cifar10"] }, "cifar-resnet18", scale),
    ],
  },
  figure4: {
    description: "ResNet18 CelebA: subgroup false positive / negative rates (Male, Young)",
    grids: (scale) => [sized({ models: ["resnet18"], datasets: ["celeba"] }, "celeba", scale)],
  },
  figure5: {
    description: "ResNet18 CIFAR-100: per-class spread over 100 classes",
    grids: (scale) => [
      sized({ models: ["resnet18"], datasets: ["cifar100"] }, "cifar-resnet18", scale),
    ],
  },
  tooling: {
    description:
      "seeds fixed, only the tooling varies (threads, memory format, vector ISA, precision, data-parallel world size, deterministic kernels, device), one change at a time, beside ALGO+IMPL",
    grids: (scale, machine) => [
      {
        ...sized(
          {
            models: ["smallcnn"],
            datasets: ["fashion-mnist"],
            settings: ["control", "impl"],
            // The first value of each is the reference. The ISA: the machine's best against
            // the next one down (AVX-512 against AVX2, or AVX2 against ATen's scalar kernels).
            options: {
              threads: [1, 2],
              // SmallCNN's own default layout first (train/recipes.ts), as ALGO+IMPL runs it.
              memoryFormat: ["channels_last", "contiguous"],
              cpuCapability: ["auto", machine.cpuCapabilities.at(-2) ?? "default"],
              precision: ["fp32", "bf16"],
              // Data parallel over 2 local ranks (Gloo), each at the reference's 1 thread: 2
              // cores, so only where there are 2 (on fewer the ranks would share one).
              ...(machine.cores >= 2 ? { worldSize: [1, 2] } : {}),
              ...(machine.cudaDevices > 0 ? { device: ["cpu", "cuda"] } : {}),
            },
            // One change at a time, under each setting: 2 × (1 + k) runs for k fields rather
            // than 2^(k+1), and every field is compared in two pairs (one per setting).
            design: "one-at-a-time",
            pool: "tooling",
          },
          "fashion-smallcnn",
          scale,
        ),
        // One run per tooling variant: with the seeds fixed, only the tooling can move them.
        replicates: 1,
      },
      // The same family with every source of noise on, to measure the tooling's drift against.
      sized(
        { models: ["smallcnn"], datasets: ["fashion-mnist"], settings: ["algo+impl"] },
        "fashion-smallcnn",
        scale,
      ),
    ],
  },
  figure6: {
    description: "determinism overhead (MediumCNN k=1,3,5,7 and the Keras models)",
    grids: () => [],
    unavailable:
      "figure6 times training steps rather than training runs: run 'nnr overhead --out DIR' (MediumCNN k=1,3,5,7 and the zoo by default) and put its overhead.csv in the experiment folder for the report",
  },
};

export const PRESET_NAMES = Object.keys(PRESETS);

/** The spec of a preset at a scale, validated like a user's plan. */
export function presetSpec(
  name: string,
  scale: Scale,
  machine: Machine = { cudaDevices: 0, cores: 2, cpuCapabilities: ["default", "avx2"] },
): PlanSpec {
  const preset = PRESETS[name];
  if (preset === undefined) {
    throw new UserError(
      `--preset ${name}: unknown preset; choose one of ${PRESET_NAMES.join(", ")}`,
    );
  }
  if (preset.unavailable !== undefined) {
    throw new UserError(`--preset ${name}: ${preset.unavailable}`);
  }
  const grids = preset.grids(scale, machine);
  // Grid-level replicates take precedence; the top level is the smallest, for the record.
  const replicates = Math.min(...grids.map((grid) => grid.replicates ?? 1));
  return validatePlanSpec({ name: `${name}-${scale}`, replicates, grid: grids }, `preset ${name}`);
}

/** The default scale of a preset: the demo must finish in minutes; the figures are studies. */
export function defaultScale(name: string): Scale {
  return name === "demo" || name === "tooling" ? "fast" : "default";
}

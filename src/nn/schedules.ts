/**
 * Learning-rate schedules: pure functions of the epoch (or of the global step, for warm-up),
 * each with a description to record with runs. Epochs count from 0, as Keras's
 * LearningRateScheduler passes them: "from epoch 50" means the 51st epoch.
 */

export interface LrSchedule {
  /** What `lrAt` takes: the 0-based epoch, or the 0-based global step (optimizer updates). */
  readonly unit: "epoch" | "step";
  lrAt(position: number): number;
  readonly description: string;
}

function checkPosition(position: number, unit: string): void {
  if (!Number.isInteger(position) || position < 0) {
    throw new RangeError(
      `learning-rate schedule: ${unit} must be an integer >= 0, got ${position}`,
    );
  }
}

export function constantSchedule(lr: number): LrSchedule {
  return { unit: "epoch", lrAt: () => lr, description: `constant ${lr}` };
}

/** lr · factor^(number of milestones ≤ epoch). */
export function multiStepSchedule(
  lr: number,
  milestones: readonly number[],
  factor: number,
): LrSchedule {
  const sorted = [...milestones].sort((a, b) => a - b);
  return {
    unit: "epoch",
    lrAt(epoch) {
      checkPosition(epoch, "epoch");
      return lr * factor ** sorted.filter((milestone) => milestone <= epoch).length;
    },
    description: `${lr} × ${factor}^(milestones passed of [${sorted.join(", ")}])`,
  };
}

/** lr · factor^⌊epoch / every⌋. */
export function stepDecaySchedule(lr: number, every: number, factor: number): LrSchedule {
  return {
    unit: "epoch",
    lrAt(epoch) {
      checkPosition(epoch, "epoch");
      return lr * factor ** Math.floor(epoch / every);
    },
    description: `${lr} × ${factor}^⌊epoch/${every}⌋`,
  };
}

/** SmallCNN (CIFAR): lr until epoch 50, lr/10 until epoch 100, lr/100 after (divided, as
 * the original does: lr × 0.1² is not lr / 100 in floating point). */
export function smallCnnSchedule(lr: number): LrSchedule {
  return {
    unit: "epoch",
    lrAt(epoch) {
      checkPosition(epoch, "epoch");
      return epoch < 50 ? lr : epoch < 100 ? lr / 10 : lr / 100;
    },
    description: `${lr}, /10 from epoch 50, /100 from epoch 100`,
  };
}

/**
 * lr · (1 − step / totalSteps), per step: from lr down to lr / totalSteps at the last update.
 * A short run gets most of its accuracy from the decay (the demo trains for one epoch).
 */
export function linearDecaySchedule(lr: number, totalSteps: number): LrSchedule {
  if (!Number.isInteger(totalSteps) || totalSteps < 1) {
    throw new RangeError(`linear decay: totalSteps must be an integer >= 1, got ${totalSteps}`);
  }
  return {
    unit: "step",
    lrAt(step) {
      checkPosition(step, "step");
      return lr * (1 - Math.min(step, totalSteps - 1) / totalSteps);
    },
    description: `${lr} × (1 − step/${totalSteps})`,
  };
}

/** ResNet18 (CIFAR): lr · 0.1^⌊epoch/50⌋. */
export const resnet18CifarSchedule = (lr: number): LrSchedule => stepDecaySchedule(lr, 50, 0.1);

/** ResNet18 (CelebA): lr · 0.1^⌊epoch/5⌋. */
export const celebaSchedule = (lr: number): LrSchedule => stepDecaySchedule(lr, 5, 0.1);

export interface WarmupPiecewiseOptions {
  /** The peak rate, reached at the end of warm-up (TF Model Garden: 0.1 × batch / 256). */
  baseLr: number;
  stepsPerEpoch: number;
  warmupEpochs: number;
  /** Epochs where the rate drops, and the multiplier of baseLr from each boundary on. */
  boundaryEpochs: readonly number[];
  multipliers: readonly number[];
}

/**
 * Piecewise-constant with linear warm-up, per step (TF Model Garden's ResNet50 ImageNet
 * schedule): baseLr · step / warmupSteps during warm-up, then baseLr · multiplier of the last
 * boundary passed.
 */
export function piecewiseConstantWithWarmup(options: WarmupPiecewiseOptions): LrSchedule {
  const { baseLr, stepsPerEpoch, warmupEpochs, boundaryEpochs, multipliers } = options;
  if (multipliers.length !== boundaryEpochs.length + 1) {
    throw new Error(
      `piecewiseConstantWithWarmup: need ${boundaryEpochs.length + 1} multipliers for ${boundaryEpochs.length} boundaries, got ${multipliers.length}`,
    );
  }
  const warmupSteps = warmupEpochs * stepsPerEpoch;
  const boundarySteps = boundaryEpochs.map((epoch) => epoch * stepsPerEpoch);
  return {
    unit: "step",
    lrAt(step) {
      checkPosition(step, "step");
      if (step < warmupSteps) return (baseLr * step) / warmupSteps;
      const passed = boundarySteps.filter((boundary) => boundary <= step).length;
      return baseLr * multipliers[passed]!;
    },
    description: `warm-up ${warmupEpochs} epochs to ${baseLr}, then ×[${multipliers.join(", ")}] at epochs [${boundaryEpochs.join(", ")}]`,
  };
}

/**
 * TF Model Garden's ResNet50 ImageNet schedule for a global batch size. `lrPer256` is the
 * peak rate for a batch of 256 (Model Garden's 0.1), scaled linearly with the batch size.
 */
export const resnet50ImagenetSchedule = (
  globalBatchSize: number,
  stepsPerEpoch: number,
  lrPer256 = 0.1,
): LrSchedule =>
  piecewiseConstantWithWarmup({
    baseLr: (lrPer256 * globalBatchSize) / 256,
    stepsPerEpoch,
    warmupEpochs: 5,
    boundaryEpochs: [30, 60, 80],
    multipliers: [1, 0.1, 0.01, 0.001],
  });

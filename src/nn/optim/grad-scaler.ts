/**
 * Dynamic loss scaling for fp16 training, as torch.cuda.amp.GradScaler: the loss is multiplied
 * by a scale before backward so small fp16 gradients do not flush to zero; before the step the
 * gradients are divided by it again. A step whose gradients hold an inf or a NaN is skipped and
 * the scale halves; after `growthInterval` good steps in a row it doubles.
 */
import { noGrad, stack, type Tensor, tidy } from "../../engine/index.js";
import type { Optimizer } from "./optimizer.js";

export interface GradScalerOptions {
  initScale: number;
  growthFactor: number;
  backoffFactor: number;
  growthInterval: number;
}

/** PyTorch's defaults. */
export const GRAD_SCALER_DEFAULTS: GradScalerOptions = {
  initScale: 2 ** 16,
  growthFactor: 2,
  backoffFactor: 0.5,
  growthInterval: 2000,
};

/** What resuming needs: PyTorch's state_dict() keys `scale` and `_growth_tracker`. */
export interface GradScalerState {
  scale: number;
  growthTracker: number;
}

export class GradScaler {
  private readonly options: GradScalerOptions;
  /** The scale, held as PyTorch holds it: a float32. */
  scale: number;
  /** Good steps in a row since the scale last changed. */
  growthTracker = 0;
  /** Whether the last step() found an inf or a NaN (and skipped the update). */
  private foundInf = false;

  constructor(options: Partial<GradScalerOptions> = {}) {
    this.options = { ...GRAD_SCALER_DEFAULTS, ...options };
    this.scale = Math.fround(this.options.initScale);
  }

  /** The loss times the scale, to call backward() on. */
  scaleLoss(loss: Tensor): Tensor {
    return loss.mul(this.scale);
  }

  /**
   * Unscales every gradient in place, then steps the optimizer unless one of them is not
   * finite; returns whether it stepped. One read-back per step, as PyTorch's scaler.step().
   */
  step(optimizer: Optimizer): boolean {
    // PyTorch: inv_scale = scale.double().reciprocal().float().
    const inverse = Math.fround(1 / this.scale);
    const finite = noGrad(() =>
      tidy(() => {
        const checks: Tensor[] = [];
        for (const param of optimizer.params) {
          const grad = param.grad;
          if (grad === null) continue;
          grad.mul_(inverse);
          checks.push(grad.isFinite().all());
        }
        return checks.length === 0 || stack(checks).all().item() !== 0;
      }),
    );
    this.foundInf = !finite;
    if (finite) optimizer.step();
    return finite;
  }

  /** After each step: back off on an inf/NaN, grow after growthInterval good steps. */
  update(): void {
    const { growthFactor, backoffFactor, growthInterval } = this.options;
    if (this.foundInf) {
      this.scale = Math.fround(this.scale * backoffFactor);
      this.growthTracker = 0;
      return;
    }
    const successful = this.growthTracker + 1;
    if (successful === growthInterval) {
      const grown = Math.fround(this.scale * growthFactor);
      // A scale that would overflow float32 stays where it is.
      if (Number.isFinite(grown)) this.scale = grown;
      this.growthTracker = 0;
    } else {
      this.growthTracker = successful;
    }
  }

  state(): GradScalerState {
    return { scale: this.scale, growthTracker: this.growthTracker };
  }

  load(state: GradScalerState): void {
    this.scale = state.scale;
    this.growthTracker = state.growthTracker;
  }
}

import {
  type FusedAdamEntry,
  fusedAdamStep,
  noGrad,
  type Tensor,
  tidy,
} from "../../engine/index.js";
import { Optimizer, savedOr } from "./optimizer.js";

export interface AdamHyperparameters {
  lr: number;
  beta1: number;
  beta2: number;
  /**
   * Added to the bias-corrected √v, as PyTorch does. (Keras adds its epsilon, default 1e-7,
   * to the uncorrected √v: a slightly different rule.)
   */
  eps: number;
  /** L2 penalty added to the gradient (Adam's, not AdamW's decoupled decay). */
  weightDecay: number;
}

export interface AdamParameterState {
  expAvg: Tensor;
  expAvgSq: Tensor;
  /** Steps taken so far, including this one once the update returns. */
  step: number;
}

/**
 * One Adam update of one parameter, in place, in the op order of PyTorch 1.13's
 * `_single_tensor_adam` (torch/optim/adam.py), so the bits match:
 *   g ← grad + wd·p;  m ← β1·m + (1-β1)·g;  v ← β2·v + (1-β2)·g²
 *   p ← p − (lr / (1-β1^t)) · m / (√v / √(1-β2^t) + ε)
 */
export function adamUpdate(
  param: Tensor,
  grad: Tensor,
  state: AdamParameterState,
  hyper: AdamHyperparameters,
): void {
  noGrad(() =>
    tidy(() => {
      state.step += 1;
      // `grad.add(param, alpha=wd)` makes a new tensor; the gradient itself is left alone.
      const g = hyper.weightDecay !== 0 ? grad.clone().add_(param, hyper.weightDecay) : grad;
      state.expAvg.mul_(hyper.beta1).add_(g, 1 - hyper.beta1);
      state.expAvgSq.mul_(hyper.beta2).addcmul_(g, g, 1 - hyper.beta2);
      const biasCorrection1 = 1 - hyper.beta1 ** state.step;
      const biasCorrection2 = 1 - hyper.beta2 ** state.step;
      const stepSize = hyper.lr / biasCorrection1;
      const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
      const denom = state.expAvgSq.sqrt().div(biasCorrection2Sqrt).add_(hyper.eps);
      param.addcdiv_(state.expAvg, denom, -stepSize);
    }),
  );
}

export interface AdamOptions {
  lr?: number;
  betas?: readonly [number, number];
  eps?: number;
  weightDecay?: number;
}

/** Adam with PyTorch's defaults (lr 1e-3, betas 0.9/0.999, eps 1e-8, no weight decay). */
export class Adam extends Optimizer {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;

  constructor(params: readonly Tensor[], options: AdamOptions = {}) {
    super(params, options.lr ?? 1e-3);
    [this.beta1, this.beta2] = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
  }

  /**
   * One update of every parameter that has a gradient, in one native call: the ops and
   * scalars of adamUpdate, in its order, so the bits are those of the per-parameter path.
   */
  override step(): void {
    noGrad(() =>
      tidy(() => {
        const entries: FusedAdamEntry[] = [];
        this.params.forEach((param, index) => {
          const grad = param.grad;
          if (grad === null) return;
          const { expAvg, expAvgSq } = this.#moments(index, param);
          const step = (this.steps.get(index) ?? 0) + 1;
          this.steps.set(index, step);
          entries.push({
            param,
            grad,
            expAvg,
            expAvgSq,
            stepSize: this.lr / (1 - this.beta1 ** step),
            biasCorrection2Sqrt: Math.sqrt(1 - this.beta2 ** step),
          });
        });
        fusedAdamStep(entries, this);
      }),
    );
  }

  /** The moment estimates of a parameter, made (zero, in its layout) at its first step. */
  #moments(index: number, param: Tensor): { expAvg: Tensor; expAvgSq: Tensor } {
    let expAvg = this.stateTensor(index, "exp_avg");
    let expAvgSq = this.stateTensor(index, "exp_avg_sq");
    if (expAvg === null) {
      expAvg = param.detach().clone().zero_();
      this.setStateTensor(index, "exp_avg", expAvg);
    }
    if (expAvgSq === null) {
      expAvgSq = param.detach().clone().zero_();
      this.setStateTensor(index, "exp_avg_sq", expAvgSq);
    }
    return { expAvg, expAvgSq };
  }

  protected updateParameter(index: number, param: Tensor, grad: Tensor): void {
    // PyTorch's zeros_like(p, memory_format=preserve_format): state shares the param's layout.
    const expAvg = this.stateTensor(index, "exp_avg") ?? param.detach().clone().zero_();
    const expAvgSq = this.stateTensor(index, "exp_avg_sq") ?? param.detach().clone().zero_();
    this.setStateTensor(index, "exp_avg", expAvg);
    this.setStateTensor(index, "exp_avg_sq", expAvgSq);
    const state = { expAvg, expAvgSq, step: this.steps.get(index) ?? 0 };
    adamUpdate(param, grad, state, this.current());
    this.steps.set(index, state.step);
  }

  current(): AdamHyperparameters {
    const { lr, beta1, beta2, eps, weightDecay } = this;
    return { lr, beta1, beta2, eps, weightDecay };
  }

  protected hyperparameters(): Record<string, number> {
    return {
      lr: this.lr,
      beta1: this.beta1,
      beta2: this.beta2,
      eps: this.eps,
      weight_decay: this.weightDecay,
    };
  }

  protected setHyperparameters(values: Record<string, number>): void {
    this.lr = savedOr(values, "lr", this.lr);
    this.beta1 = savedOr(values, "beta1", this.beta1);
    this.beta2 = savedOr(values, "beta2", this.beta2);
    this.eps = savedOr(values, "eps", this.eps);
    this.weightDecay = savedOr(values, "weight_decay", this.weightDecay);
  }
}

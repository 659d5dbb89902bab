import { noGrad, type Tensor, tidy } from "../../engine/index.js";
import { Optimizer, savedOr } from "./optimizer.js";

export interface SgdHyperparameters {
  lr: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
}

/**
 * One SGD update of one parameter, in place, in the op order of PyTorch 1.13's
 * `_single_tensor_sgd` (torch/optim/sgd.py). Returns the momentum buffer to keep (null
 * without momentum). As PyTorch: the first buffer is a copy of the gradient (no dampening),
 * later ones b ← μ·b + (1-dampening)·g; Nesterov steps along g + μ·b.
 */
export function sgdUpdate(
  param: Tensor,
  grad: Tensor,
  momentumBuffer: Tensor | null,
  hyper: SgdHyperparameters,
): Tensor | null {
  return noGrad(() =>
    tidy(() => {
      let direction = hyper.weightDecay !== 0 ? grad.clone().add_(param, hyper.weightDecay) : grad;
      let buffer: Tensor | null = null;
      if (hyper.momentum !== 0) {
        buffer =
          momentumBuffer === null
            ? direction.clone()
            : momentumBuffer.mul_(hyper.momentum).add_(direction, 1 - hyper.dampening);
        direction = hyper.nesterov ? direction.clone().add_(buffer, hyper.momentum) : buffer;
      }
      param.add_(direction, -hyper.lr);
      return buffer;
    }),
  );
}

export interface SgdOptions {
  lr: number;
  momentum?: number;
  dampening?: number;
  nesterov?: boolean;
  weightDecay?: number;
}

export class SGD extends Optimizer {
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;

  constructor(params: readonly Tensor[], options: SgdOptions) {
    super(params, options.lr);
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.nesterov = options.nesterov ?? false;
    this.weightDecay = options.weightDecay ?? 0;
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new Error("SGD: Nesterov momentum requires a momentum and zero dampening");
    }
  }

  protected updateParameter(index: number, param: Tensor, grad: Tensor): void {
    const buffer = sgdUpdate(
      param,
      grad,
      this.stateTensor(index, "momentum_buffer"),
      this.current(),
    );
    if (buffer !== null) this.setStateTensor(index, "momentum_buffer", buffer);
  }

  current(): SgdHyperparameters {
    const { lr, momentum, dampening, nesterov, weightDecay } = this;
    return { lr, momentum, dampening, nesterov, weightDecay };
  }

  protected hyperparameters(): Record<string, number> {
    return {
      lr: this.lr,
      momentum: this.momentum,
      dampening: this.dampening,
      nesterov: this.nesterov ? 1 : 0,
      weight_decay: this.weightDecay,
    };
  }

  protected setHyperparameters(values: Record<string, number>): void {
    this.lr = savedOr(values, "lr", this.lr);
    this.momentum = savedOr(values, "momentum", this.momentum);
    this.dampening = savedOr(values, "dampening", this.dampening);
    this.nesterov = savedOr(values, "nesterov", this.nesterov ? 1 : 0) === 1;
    this.weightDecay = savedOr(values, "weight_decay", this.weightDecay);
  }
}

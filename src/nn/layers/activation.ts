import { F, type Generator, type Tensor } from "../../engine/index.js";
import { Module } from "../module.js";

export class ReLU extends Module {
  forward(input: Tensor): Tensor {
    return input.relu();
  }
}

/** Inverted dropout; the mask comes from its own named generator. Identity in eval mode. */
export class Dropout extends Module {
  constructor(
    readonly p: number,
    readonly generator: Generator | null = null,
  ) {
    super();
    if (!(p >= 0 && p < 1)) throw new RangeError(`Dropout: p must be in [0, 1), got ${p}`);
    if (p > 0 && generator === null) {
      throw new Error("Dropout: a generator is needed when p > 0 (no hidden global randomness)");
    }
  }

  forward(input: Tensor): Tensor {
    if (!this.training || this.p === 0 || this.generator === null) return input;
    return F.dropout(input, this.p, this.generator, true);
  }
}

/** Flattens every dim after the batch dim (row-major: C, H, W order, as PyTorch). */
export class Flatten extends Module {
  forward(input: Tensor): Tensor {
    return input.flatten(1);
  }
}

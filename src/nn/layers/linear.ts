import { empty, F, type Generator, type Tensor, zeros } from "../../engine/index.js";
import { glorotUniform, type WeightInit } from "../init.js";
import { Module } from "../module.js";

export interface LinearConfig {
  inFeatures: number;
  outFeatures: number;
  bias?: boolean;
  /** Glorot uniform (Keras's Dense default) unless given; PyTorch's own default differs. */
  weightInit?: WeightInit;
  generator: Generator;
}

/** Dense layer: y = x·Wᵀ + b, weight [out, in] as PyTorch's nn.Linear, bias zeros. */
export class Linear extends Module {
  readonly hasBias: boolean;

  constructor(config: LinearConfig) {
    super();
    const weight = empty([config.outFeatures, config.inFeatures]);
    (config.weightInit ?? glorotUniform)(weight, config.generator);
    this.registerParameter("weight", weight);
    this.hasBias = config.bias ?? true;
    if (this.hasBias) this.registerParameter("bias", zeros([config.outFeatures]));
  }

  forward(input: Tensor): Tensor {
    return F.linear(input, this.parameter("weight"), this.hasBias ? this.parameter("bias") : null);
  }
}

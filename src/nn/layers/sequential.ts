import type { Tensor } from "../../engine/index.js";
import { Module } from "../module.js";

/** Applies its children in order; they are named "0", "1", … as in PyTorch's nn.Sequential. */
export class Sequential extends Module {
  readonly layers: readonly Module[];

  constructor(layers: readonly Module[]) {
    super();
    this.layers = [...layers];
    this.layers.forEach((layer, index) => {
      this.registerModule(String(index), layer);
    });
  }

  forward(input: Tensor): Tensor {
    let output = input;
    for (const layer of this.layers) output = layer.forward(output);
    return output;
  }
}

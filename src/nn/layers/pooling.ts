import type { Pool2dOptions } from "../../engine/functional.js";
import { F, type Tensor } from "../../engine/index.js";
import { Module } from "../module.js";

type Pair = number | readonly [number, number];

/** Max pooling; Keras's "valid" pooling is PyTorch's default (floor, no padding). */
export class MaxPool2d extends Module {
  constructor(
    readonly kernelSize: Pair,
    readonly options: Pool2dOptions = {},
  ) {
    super();
  }

  forward(input: Tensor): Tensor {
    return F.maxPool2d(input, this.kernelSize, this.options);
  }
}

export class AvgPool2d extends Module {
  constructor(
    readonly kernelSize: Pair,
    readonly options: Pool2dOptions & { countIncludePad?: boolean } = {},
  ) {
    super();
  }

  forward(input: Tensor): Tensor {
    return F.avgPool2d(input, this.kernelSize, this.options);
  }
}

/** Keras's GlobalAveragePooling2D: mean over H and W, [N, C, H, W] → [N, C]. */
export class GlobalAvgPool extends Module {
  forward(input: Tensor): Tensor {
    return input.mean([2, 3]);
  }
}

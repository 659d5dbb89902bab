/**
 * Weight initialisers. Each draws from an explicit generator and follows
 * torch.nn.init's formulas in the same floating-point order, so a seed gives PyTorch's bits.
 * (Keras's GlorotUniform has the same distribution, but TensorFlow's random stream: the
 * original's exact initial weights cannot be reproduced, only their law.)
 */
import {
  type Generator,
  noGrad,
  normal_,
  randn,
  type Tensor,
  tidy,
  uniform_,
  where,
} from "../engine/index.js";

/** Fans as torch.nn.init computes them: weights are [out, in, ...kernel]. */
export function fans(shape: readonly number[]): { fanIn: number; fanOut: number } {
  if (shape.length < 2) {
    throw new Error(`fans: need a weight of at least 2 dimensions, got shape [${shape}]`);
  }
  const receptiveField = shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: shape[1]! * receptiveField, fanOut: shape[0]! * receptiveField };
}

/**
 * Glorot/Xavier uniform: U(-a, a), a = gain·√(6/(fanIn+fanOut)). The original's Keras default
 * for every conv and dense kernel. Keras's kernel layout [kh, kw, in, out] gives the same fans.
 */
export function glorotUniform_(t: Tensor, generator: Generator, gain = 1): Tensor {
  const { fanIn, fanOut } = fans(t.shape);
  const std = gain * Math.sqrt(2 / (fanIn + fanOut));
  const bound = Math.sqrt(3) * std;
  return noGrad(() => uniform_(t, -bound, bound, generator));
}

export type FanMode = "fanIn" | "fanOut";
export type Nonlinearity = "linear" | "relu" | "leakyRelu";

export interface KaimingOptions {
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
  /** Negative slope of the leaky ReLU (PyTorch's `a`). */
  negativeSlope?: number;
}

/** torch.nn.init.calculate_gain for the nonlinearities we use. */
export function gainFor(nonlinearity: Nonlinearity, negativeSlope = 0): number {
  switch (nonlinearity) {
    case "linear":
      return 1;
    case "relu":
      return Math.sqrt(2);
    case "leakyRelu":
      return Math.sqrt(2 / (1 + negativeSlope ** 2));
  }
}

function kaimingStd(t: Tensor, options: KaimingOptions): number {
  const { fanIn, fanOut } = fans(t.shape);
  const fan = (options.mode ?? "fanIn") === "fanIn" ? fanIn : fanOut;
  const gain = gainFor(options.nonlinearity ?? "relu", options.negativeSlope ?? 0);
  return gain / Math.sqrt(fan);
}

/** He uniform: U(-b, b), b = √3·gain/√fan (torch.nn.init.kaiming_uniform_). */
export function kaimingUniform_(
  t: Tensor,
  generator: Generator,
  options: KaimingOptions = {},
): Tensor {
  const bound = Math.sqrt(3) * kaimingStd(t, options);
  return noGrad(() => uniform_(t, -bound, bound, generator));
}

/** He normal: N(0, (gain/√fan)²) (torch.nn.init.kaiming_normal_). */
export function kaimingNormal_(
  t: Tensor,
  generator: Generator,
  options: KaimingOptions = {},
): Tensor {
  const std = kaimingStd(t, options);
  return noGrad(() => normal_(t, 0, std, generator));
}

/**
 * N(0, std²) truncated at ±2·std, the draws outside redrawn until none is left: the law of
 * TensorFlow's truncated_normal (Keras's "truncated_normal" initialisers), whose own stream
 * cannot be reproduced. The draws' spread is ≈ 0.88·std.
 */
export function truncatedNormal_(t: Tensor, std: number, generator: Generator): Tensor {
  noGrad(() =>
    tidy(() => {
      let draw = randn(t.shape, generator);
      for (;;) {
        const outside = draw.abs().gt(2);
        if (!outside.any().item()) break;
        draw = where(outside, randn(t.shape, generator), draw);
      }
      t.copy_(draw.mul(std));
    }),
  );
  return t;
}

export function zeros_(t: Tensor): Tensor {
  return noGrad(() => t.zero_());
}

export function ones_(t: Tensor): Tensor {
  return noGrad(() => t.fill_(1));
}

/** How a layer initialises its weight; biases start at zero (Keras's default). */
export type WeightInit = (weight: Tensor, generator: Generator) => Tensor;

export const glorotUniform: WeightInit = (weight, generator) => glorotUniform_(weight, generator);

/**
 * The ops the zoo's models train with, forward and backward, at shapes of a CNN's middle
 * layers: batch N, C channels, S×S maps (default 32, 64, 32×32). Each entry builds its inputs
 * from a generator and runs one forward; the audit runs the backward with a fixed upstream
 * gradient. Scatter-like backwards are covered by indexSelect (index_add with repeated
 * indices) and gather (scatter_add).
 */
import { cat, F, type Generator, rand, randint, randn, type Tensor } from "../../engine/index.js";

export interface AuditScale {
  batch: number;
  channels: number;
  size: number;
}

// A type alias, not an interface, so a tidy() callback may return it.
export type AuditInputs = {
  /** Float inputs that get gradients (the data, weights, biases). */
  grad: Tensor[];
  /** Inputs without gradients (indices, targets, running statistics). */
  fixed: Tensor[];
};

export interface AuditOp {
  name: string;
  /** The computation and its shapes, for the table. */
  shapes(scale: AuditScale): string;
  setup(generator: Generator, scale: AuditScale): AuditInputs;
  forward(grad: Tensor[], fixed: Tensor[]): Tensor;
}

const map = ({ batch, channels, size }: AuditScale) => [batch, channels, size, size];
const dims = (shape: readonly number[]) => `[${shape.join(", ")}]`;
const rows = ({ batch }: AuditScale) => batch * 4;
const features = ({ channels }: AuditScale) => channels * 8;
const CLASSES = 1000;

/** An op on one feature map [N, C, S, S] with no other inputs. */
function unary(name: string, forward: (x: Tensor) => Tensor): AuditOp {
  return {
    name,
    shapes: (s) => dims(map(s)),
    setup: (g, s) => ({ grad: [randn(map(s), g)], fixed: [] }),
    forward: ([x]) => forward(x!),
  };
}

interface ConvShape {
  kernel: number;
  stride: number;
  groups: (channels: number) => number;
  outChannels?: (channels: number) => number;
  inChannels?: (channels: number) => number;
  /** Input size relative to the scale's size. */
  sizeFactor?: number;
}

function conv(name: string, shape: ConvShape): AuditOp {
  const convDims = (s: AuditScale) => {
    const inC = shape.inChannels?.(s.channels) ?? s.channels;
    const outC = shape.outChannels?.(s.channels) ?? s.channels;
    const groups = shape.groups(s.channels);
    const size = s.size * (shape.sizeFactor ?? 1);
    return {
      input: [s.batch, inC, size, size],
      weight: [outC, inC / groups, shape.kernel, shape.kernel],
      groups,
    };
  };
  return {
    name,
    shapes: (s) => {
      const d = convDims(s);
      return `${dims(d.input)} * ${dims(d.weight)} stride ${shape.stride}, groups ${d.groups}`;
    },
    setup: (g, s) => {
      const d = convDims(s);
      const fanIn = d.weight[1]! * shape.kernel * shape.kernel;
      const weight = randn(d.weight, g).mul(1 / Math.sqrt(fanIn));
      return { grad: [randn(d.input, g), weight, randn([d.weight[0]!], g)], fixed: [] };
    },
    forward: ([x, w, b]) => {
      // The weight holds in/groups input channels per filter.
      const groups = x!.shape[1]! / w!.shape[1]!;
      return F.conv2d(x!, w!, b!, {
        stride: shape.stride,
        padding: Math.floor(shape.kernel / 2),
        groups,
      });
    },
  };
}

function batchNorm(training: boolean): AuditOp {
  return {
    name: training ? "batchNorm (train)" : "batchNorm (eval)",
    shapes: (s) => dims(map(s)),
    setup: (g, s) => ({
      grad: [randn(map(s), g), rand([s.channels], g).add(0.5), randn([s.channels], g)],
      fixed: [randn([s.channels], g).mul(0.1), rand([s.channels], g).add(0.5)],
    }),
    // Fresh copies of the running statistics: training updates them in place.
    forward: ([x, weight, bias], [mean, variance]) =>
      F.batchNorm(x!, {
        weight: weight!,
        bias: bias!,
        runningMean: mean!.clone(),
        runningVar: variance!.clone(),
        training,
        momentum: 0.1,
        eps: 1e-5,
      }),
  };
}

/** Logits [4N, 1000] and what a head needs beside them. */
function head(name: string, forward: (logits: Tensor, fixed: Tensor[]) => Tensor): AuditOp {
  return {
    name,
    shapes: (s) => `[${rows(s)}, ${CLASSES}]`,
    setup: (g, s) => ({
      grad: [randn([rows(s), CLASSES], g)],
      fixed: [randint(0, CLASSES, [rows(s)], g, { dtype: "int64" })],
    }),
    forward: ([logits], fixed) => forward(logits!, fixed),
  };
}

export const AUDIT_OPS: readonly AuditOp[] = [
  conv("conv2d 3×3", { kernel: 3, stride: 1, groups: () => 1 }),
  conv("conv2d 3×3 stride 2", { kernel: 3, stride: 2, groups: () => 1 }),
  conv("conv2d 1×1 (pointwise)", {
    kernel: 1,
    stride: 1,
    groups: () => 1,
    outChannels: (c) => c * 4,
  }),
  conv("conv2d 7×7 stride 2 (stem)", {
    kernel: 7,
    stride: 2,
    groups: () => 1,
    inChannels: () => 3,
    sizeFactor: 2,
  }),
  conv("conv2d grouped (4)", { kernel: 3, stride: 1, groups: () => 4 }),
  conv("conv2d depthwise", { kernel: 3, stride: 1, groups: (c) => c }),
  unary("maxPool2d 3×3 s2 p1", (x) => F.maxPool2d(x, 3, { stride: 2, padding: 1 })),
  unary("maxPool2d 2×2", (x) => F.maxPool2d(x, 2)),
  unary("ReLU of maxPool2d 2×2 (fused)", (x) => F.reluMaxPool2x2(x)),
  unary("avgPool2d 2×2", (x) => F.avgPool2d(x, 2)),
  unary("avgPool2d 3×3 s1 p1", (x) =>
    F.avgPool2d(x, 3, { stride: 1, padding: 1, countIncludePad: false }),
  ),
  unary("adaptiveAvgPool2d →1×1", (x) => F.adaptiveAvgPool2d(x, 1)),
  unary("adaptiveAvgPool2d →7×7", (x) => F.adaptiveAvgPool2d(x, 7)),
  batchNorm(true),
  batchNorm(false),
  {
    name: "linear",
    shapes: (s) => `[${rows(s)}, ${features(s)}] · [${CLASSES}, ${features(s)}]ᵀ + b`,
    setup: (g, s) => ({
      grad: [
        randn([rows(s), features(s)], g),
        randn([CLASSES, features(s)], g).mul(1 / Math.sqrt(features(s))),
        randn([CLASSES], g),
      ],
      fixed: [],
    }),
    forward: ([x, w, b]) => F.linear(x!, w!, b!),
  },
  {
    name: "matmul",
    shapes: (s) => `[${rows(s)}, ${features(s)}] · [${features(s)}, ${features(s)}]`,
    setup: (g, s) => ({
      grad: [randn([rows(s), features(s)], g), randn([features(s), features(s)], g)],
      fixed: [],
    }),
    forward: ([a, b]) => a!.matmul(b!),
  },
  unary("relu", (x) => x.relu()),
  unary("relu6", (x) => F.relu6(x)),
  unary("silu", (x) => F.silu(x)),
  unary("sigmoid", (x) => x.sigmoid()),
  {
    name: "mul (broadcast, SE)",
    shapes: (s) => `${dims(map(s))} × [${s.batch}, ${s.channels}, 1, 1]`,
    setup: (g, s) => ({
      grad: [randn(map(s), g), rand([s.batch, s.channels, 1, 1], g)],
      fixed: [],
    }),
    forward: ([x, scale]) => x!.mul(scale!),
  },
  {
    name: "add (residual)",
    shapes: (s) => `${dims(map(s))} + ${dims(map(s))}`,
    setup: (g, s) => ({ grad: [randn(map(s), g), randn(map(s), g)], fixed: [] }),
    forward: ([a, b]) => a!.add(b!),
  },
  {
    name: "cat (channels)",
    shapes: (s) => `cat(${dims(map(s))}, ${dims(map(s))}, 1)`,
    setup: (g, s) => ({ grad: [randn(map(s), g), randn(map(s), g)], fixed: [] }),
    forward: ([a, b]) => cat([a!, b!], 1),
  },
  unary("pad (bottom/right)", (x) => F.pad(x, [0, 1, 0, 1])),
  unary("flatten", (x) => x.flatten(1)),
  head("softmax", (logits) => F.softmax(logits, 1)),
  head("logSoftmax", (logits) => F.logSoftmax(logits, 1)),
  head("crossEntropy", (logits, [target]) => F.crossEntropy(logits, target!)),
  {
    name: "bceWithLogits",
    shapes: (s) => `[${rows(s)}, 40]`,
    setup: (g, s) => ({
      grad: [randn([rows(s), 40], g)],
      fixed: [randint(0, 2, [rows(s), 40], g, { dtype: "int64" }).float()],
    }),
    forward: ([logits], [target]) => F.binaryCrossEntropyWithLogits(logits!, target!),
  },
  unary("sum (all)", (x) => x.sum()),
  unary("mean over H, W", (x) => x.mean([2, 3])),
  {
    name: "indexSelect (backward: index_add)",
    shapes: (s) => `[${CLASSES}, ${s.channels}] rows by ${s.batch * s.size} repeated indices`,
    setup: (g, s) => ({
      grad: [randn([CLASSES, s.channels], g)],
      fixed: [randint(0, CLASSES, [s.batch * s.size], g, { dtype: "int64" })],
    }),
    forward: ([table], [index]) => table!.indexSelect(0, index!),
  },
  {
    name: "gather (backward: scatter_add)",
    shapes: (s) => `[${rows(s)}, ${CLASSES}] by [${rows(s)}, 64] repeated indices`,
    setup: (g, s) => ({
      grad: [randn([rows(s), CLASSES], g)],
      fixed: [randint(0, CLASSES, [rows(s), 64], g, { dtype: "int64" })],
    }),
    forward: ([x], [index]) => x!.gather(1, index!),
  },
];

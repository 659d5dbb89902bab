/**
 * Every engine op, forward and gradient, against numbers computed by PyTorch
 * (scripts/fixtures/engine_ops.py), float32: |ours - torch| <= atol + rtol·|torch|.
 * - Computed live when Python's torch is installed (same libtorch, same kernels on this CPU):
 *   exact, tolerance 0 (the same kernels in the same order).
 * - Else the committed fixture, written on another CPU, whose vector kernels (AVX2, AVX-512 or
 *   none) sum and fuse in other orders: atol 1e-5, rtol 1e-4. These ops are single layers on
 *   small inputs (no training loop to amplify rounding), so other kernels move results by a few
 *   float32 ulps: against the AVX2-written fixture, the non-vectorised kernels
 *   (ATEN_CPU_CAPABILITY=default) stay within a hundredth of this tolerance.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  cat,
  determinismState,
  F,
  liveTensors,
  ones,
  setThreads,
  stack,
  type Tensor,
  tensor,
  tidy,
  where,
  zeros,
} from "../../src/engine/index.js";
import { fromJson, type TensorJson, worstViolation } from "./fixture-tensors.js";
import { pytorchReference } from "./pytorch-reference.js";

const reference = pytorchReference(
  "engine_ops.py",
  new URL("./fixtures/ops.json", import.meta.url).pathname,
);
const LIVE_TOLERANCE = { atol: 0, rtol: 0 };
const ACROSS_CPUS = { atol: 1e-5, rtol: 1e-4 };
const { atol: ATOL, rtol: RTOL } = reference.live ? LIVE_TOLERANCE : ACROSS_CPUS;

interface Case {
  name: string;
  inputs: TensorJson[];
  gradOutput: TensorJson;
  outputs: TensorJson[];
  grads: (TensorJson | null)[];
}

const fixture = JSON.parse(readFileSync(reference.path, "utf8")) as {
  torch: string;
  cases: Case[];
};

type Op = (inputs: Tensor[]) => Tensor | Tensor[];

function batchNormTrain([x, w, b]: Tensor[]): Tensor[] {
  const runningMean = zeros([3]);
  const runningVar = ones([3]);
  const out = F.batchNorm(x!, {
    weight: w!,
    bias: b!,
    runningMean,
    runningVar,
    training: true,
    momentum: 0.1,
    eps: 1e-5,
  });
  return [out, runningMean, runningVar];
}

function batchNormEval([x, w, b]: Tensor[]): Tensor {
  const runningMean = tensor([0.1, -0.2, 0.3]);
  const runningVar = tensor([0.5, 1.5, 2.0]);
  return F.batchNorm(x!, {
    weight: w!,
    bias: b!,
    runningMean,
    runningVar,
    training: false,
    eps: 1e-5,
  });
}

const ops: Record<string, Op> = {
  add: ([a, b]) => a!.add(b!),
  add_scalar: ([a]) => a!.add(2.5),
  sub: ([a, b]) => a!.sub(b!),
  mul: ([a, b]) => a!.mul(b!),
  div: ([a, b]) => a!.div(b!),
  pow_scalar: ([a]) => a!.pow(3),
  neg: ([a]) => a!.neg(),
  abs: ([a]) => a!.abs(),
  exp: ([a]) => a!.exp(),
  log: ([a]) => a!.log(),
  sqrt: ([a]) => a!.sqrt(),
  rsqrt: ([a]) => a!.rsqrt(),
  square: ([a]) => a!.square(),
  tanh: ([a]) => a!.tanh(),
  sigmoid: ([a]) => F.sigmoid(a!),
  relu: ([a]) => F.relu(a!),
  silu: ([a]) => F.silu(a!),
  relu6: ([a]) => F.relu6(a!),
  leaky_relu: ([a]) => F.leakyRelu(a!, 0.2),
  clamp: ([a]) => a!.clamp(-0.5, 0.5),
  maximum: ([a, b]) => a!.maximum(b!),
  where: ([a, b]) => where(a!.gt(0), a!, b!),
  sum_all: ([a]) => a!.sum(),
  sum_dim: ([a]) => a!.sum(1),
  sum_keepdim: ([a]) => a!.sum([0, 2], true),
  mean_dims: ([a]) => a!.mean([2, 3]),
  var_unbiased: ([a]) => a!.var(1),
  var_biased: ([a]) => a!.var(1, { unbiased: false }),
  std_all: ([a]) => a!.std(),
  max_dim: ([a]) => a!.max(1),
  min_all: ([a]) => a!.min(),
  logsumexp: ([a]) => a!.logsumexp(1),
  reshape: ([a]) => a!.reshape([6, 4]),
  permute: ([a]) => a!.permute([2, 0, 1]),
  transpose: ([a]) => a!.transpose(0, 1),
  flatten: ([a]) => a!.flatten(1),
  cat: ([a, b]) => cat([a!, b!], 1),
  stack: ([a, b]) => stack([a!, b!], 0),
  slice_step: ([a]) => a!.slice(1, 1, 5, 2),
  index_select: ([a, i]) => a!.indexSelect(0, i!),
  gather: ([a, i]) => a!.gather(1, i!),
  matmul: ([a, b]) => a!.matmul(b!),
  matmul_batched: ([a, b]) => a!.matmul(b!),
  flip: ([a]) => F.flip(a!, [2, 3]),
  pad_constant: ([a]) => F.pad(a!, [1, 2, 0, 1], "constant", 0.5),
  pad_reflect: ([a]) => F.pad(a!, [1, 1, 1, 1], "reflect"),
  conv2d: ([x, w, b]) => F.conv2d(x!, w!, b!, { stride: 1, padding: 1 }),
  conv2d_same: ([x, w, b]) => F.conv2d(x!, w!, b!, { padding: "same" }),
  conv2d_stride_nobias: ([x, w]) => F.conv2d(x!, w!, null, { stride: 2, padding: 0 }),
  conv2d_dilation: ([x, w]) => F.conv2d(x!, w!, null, { padding: 2, dilation: 2 }),
  conv2d_groups: ([x, w]) => F.conv2d(x!, w!, null, { padding: 1, groups: 2 }),
  conv2d_depthwise: ([x, w]) => F.conv2d(x!, w!, null, { padding: 1, groups: 3 }),
  max_pool2d: ([x]) => F.maxPool2d(x!, 2),
  max_pool2d_stride_pad: ([x]) => F.maxPool2d(x!, 3, { stride: 2, padding: 1 }),
  avg_pool2d: ([x]) => F.avgPool2d(x!, 2),
  avg_pool2d_pad: ([x]) => F.avgPool2d(x!, 3, { stride: 2, padding: 1, countIncludePad: false }),
  adaptive_avg_pool2d: ([x]) => F.adaptiveAvgPool2d(x!, 1),
  linear: ([x, w, b]) => F.linear(x!, w!, b!),
  softmax: ([a]) => F.softmax(a!, 1),
  log_softmax: ([a]) => F.logSoftmax(a!, 1),
  cross_entropy: ([a, t]) => F.crossEntropy(a!, t!),
  cross_entropy_smoothing: ([a, t]) => F.crossEntropy(a!, t!, { labelSmoothing: 0.1 }),
  cross_entropy_sum: ([a, t]) => F.crossEntropy(a!, t!, { reduction: "sum" }),
  nll_loss: ([a, t]) => F.nllLoss(F.logSoftmax(a!, 1), t!),
  bce_with_logits: ([a, t]) => F.binaryCrossEntropyWithLogits(a!, t!),
  mse_loss: ([a, b]) => F.mseLoss(a!, b!),
  batch_norm_train: batchNormTrain,
  batch_norm_eval: batchNormEval,
};

function expectClose(actual: Tensor, expected: TensorJson, what: string): void {
  expect(actual.shape, `${what} shape`).toEqual(expected.shape);
  const violation = worstViolation(actual.toArray(), expected.data, ATOL, RTOL);
  expect(violation, `${what} beyond tolerance by`).toBe(0);
}

describe(`engine ops against PyTorch ${fixture.torch} (${reference.source})`, () => {
  // The script computes on one thread; so do we, since the thread count can change the bits.
  const threadsBefore = determinismState().threads;
  beforeAll(() => setThreads(1));
  afterAll(() => setThreads(threadsBefore));

  it("has an implementation for every fixture case and no extra", () => {
    expect(Object.keys(ops).sort()).toEqual(fixture.cases.map((c) => c.name).sort());
  });

  for (const testCase of fixture.cases) {
    it(`${testCase.name}: forward and gradient`, () => {
      const before = liveTensors();
      tidy(() => {
        const inputs = testCase.inputs.map((json) => {
          const t = fromJson(json);
          return json.dtype.startsWith("float") ? t.requiresGrad_(true) : t;
        });
        const op = ops[testCase.name];
        if (op === undefined) throw new Error(`no implementation for ${testCase.name}`);
        const result = op(inputs);
        const outputs = Array.isArray(result) ? result : [result];
        testCase.outputs.forEach((expected, k) => {
          expectClose(outputs[k]!, expected, `output ${k}`);
        });
        const main = outputs[0]!;
        if (main.requiresGrad) {
          main.mul(fromJson(testCase.gradOutput)).sum().backward();
        }
        testCase.grads.forEach((expected, k) => {
          if (expected === null) return;
          const grad = inputs[k]!.grad;
          expect(grad, `gradient of input ${k}`).not.toBeNull();
          expectClose(grad!, expected, `gradient of input ${k}`);
        });
      });
      expect(liveTensors()).toBe(before);
    });
  }
});

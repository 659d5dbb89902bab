/**
 * Residual blocks against PyTorch (scripts/fixtures/nn_ops.py), in training mode: output,
 * gradient w.r.t. the input, and the updated BatchNorm running statistics. The Keras-padded
 * block runs on odd sizes (9×10), where TensorFlow's strided "same" pads only bottom/right.
 * Tolerance |ours - torch| <= atol + rtol·|torch|:
 * - computed live when Python's torch is installed (same libtorch, this CPU): exact, tolerance
 *   0 (same kernels in the same order);
 * - else the committed fixture from another CPU: atol 1e-5, rtol 1e-4 (float32 through three
 *   convolutions and BatchNorms, summed in another order by other vector kernels); with the
 *   non-vectorised kernels (ATEN_CPU_CAPABILITY=default) the AVX2-written fixture passes at a
 *   tenth of it.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  determinismState,
  Generator,
  liveTensors,
  randn,
  setThreads,
  type Tensor,
  tidy,
} from "../../src/engine/index.js";
import { glorotUniform } from "../../src/nn/init.js";
import {
  BasicBlock,
  BatchNorm2d,
  type BlockConfig,
  Bottleneck,
  Dropout,
  KERAS_BATCH_NORM,
  Sequential,
  samePadding,
  TORCH_BATCH_NORM,
} from "../../src/nn/layers/index.js";
import type { Module } from "../../src/nn/module.js";
import { fromJson } from "../engine/fixture-tensors.js";
import { violation } from "./helpers.js";
import { type BlockCase, opsReference } from "./ops-fixture.js";

const { reference, fixture: opsFixture } = opsReference();
const LIVE_TOLERANCE = { atol: 0, rtol: 0 };
const ACROSS_CPUS = { atol: 1e-5, rtol: 1e-4 };
const { atol: ATOL, rtol: RTOL } = reference.live ? LIVE_TOLERANCE : ACROSS_CPUS;

function block(
  kind: "basic" | "bottleneck",
  config: Omit<BlockConfig, "generator" | "weightInit">,
): Module {
  const full = { ...config, weightInit: glorotUniform, generator: new Generator(0, "init") };
  return kind === "basic" ? new BasicBlock(full) : new Bottleneck(full);
}

const CASES: Record<string, () => Module> = {
  basic_keras_8_16_s2: () =>
    block("basic", {
      inChannels: 8,
      channels: 16,
      stride: 2,
      batchNorm: KERAS_BATCH_NORM,
      padding: "same",
    }),
  basic_identity_8_8: () =>
    block("basic", {
      inChannels: 8,
      channels: 8,
      stride: 1,
      batchNorm: KERAS_BATCH_NORM,
      padding: "same",
    }),
  bottleneck_16_8_s2: () =>
    block("bottleneck", {
      inChannels: 16,
      channels: 8,
      stride: 2,
      batchNorm: TORCH_BATCH_NORM,
      padding: "torch",
    }),
};

function check(actual: Tensor, expected: BlockCase["output"], what: string): void {
  expect(actual.shape, what).toEqual(expected.shape);
  expect(violation(actual, expected.data, ATOL, RTOL), what).toBe(0);
}

describe(`residual blocks match PyTorch (${reference.source})`, () => {
  // The script computes on one thread; so do we, since the thread count can change the bits.
  const threadsBefore = determinismState().threads;
  beforeAll(() => setThreads(1));
  afterAll(() => setThreads(threadsBefore));

  for (const [name, build] of Object.entries(CASES)) {
    it(name, () => {
      const before = liveTensors();
      const fixture = opsFixture.blocks[name]!;
      const module = build().train();
      tidy(() => {
        module.loadStateDict(
          new Map(Object.entries(fixture.state).map(([key, t]) => [key, fromJson(t)])),
        );
        const x = fromJson(fixture.input).requiresGrad_();
        const y = module.forward(x);
        check(y, fixture.output, "output");
        y.backward(fromJson(fixture.grad_output));
        check(x.grad!, fixture.grad_input, "grad of input");
        const state = module.stateDict();
        for (const [key, expected] of Object.entries(fixture.final_state))
          check(state.get(key)!, expected, key);
      });
      module.dispose();
      expect(liveTensors()).toBe(before);
    });
  }
});

describe("layer details", () => {
  it("TensorFlow's same padding puts the odd pixel after", () => {
    expect(samePadding(9, 3, 2)).toEqual([1, 1]);
    expect(samePadding(10, 3, 2)).toEqual([0, 1]);
    expect(samePadding(32, 1, 2)).toEqual([0, 0]);
    expect(samePadding(32, 3, 1)).toEqual([1, 1]);
  });

  it("dropout needs a generator when it drops, and is the identity in eval mode", () => {
    expect(() => new Dropout(0.5)).toThrow(/generator/);
    const dropout = new Dropout(0.5, new Generator(1, "dropout"));
    tidy(() => {
      const x = fromJson({ shape: [1000], dtype: "float32", data: Array(1000).fill(1) });
      const dropped = dropout.forward(x);
      const zeros = dropped.eq(0).sum().item();
      expect(zeros).toBeGreaterThan(400);
      expect(zeros).toBeLessThan(600);
      expect(dropout.eval().forward(x).equal(x)).toBe(true);
    });
  });

  it("batch norm with Keras's scale=False has no gamma and normalises as gamma = 1", () => {
    const before = liveTensors();
    const plain = new BatchNorm2d(4, KERAS_BATCH_NORM);
    const unscaled = new BatchNorm2d(4, { ...KERAS_BATCH_NORM, scale: false });
    expect([...unscaled.stateDict().keys()]).toEqual([
      "bias",
      "running_mean",
      "running_var",
      "num_batches_tracked",
    ]);
    expect(unscaled.parameterCount()).toBe(4);
    tidy(() => {
      const x = randn([2, 4, 3, 3], new Generator(1, "input"));
      const y = unscaled.forward(x);
      expect(y.equal(plain.forward(x))).toBe(true);
      y.square().sum().backward();
      expect(unscaled.parameters()[0]!.grad!.shape).toEqual([4]);
    });
    expect(
      unscaled.stateDict().get("running_mean")!.equal(plain.stateDict().get("running_mean")!),
    ).toBe(true);
    unscaled.zeroGrad();
    plain.dispose();
    unscaled.dispose();
    expect(liveTensors()).toBe(before);
  });

  it("sequential names its children 0, 1, … as PyTorch", () => {
    const seq = new Sequential([
      block("basic", {
        inChannels: 4,
        channels: 4,
        stride: 1,
        batchNorm: TORCH_BATCH_NORM,
        padding: "same",
      }),
    ]);
    expect([...seq.stateDict().keys()].slice(0, 3)).toEqual([
      "0.conv1.weight",
      "0.bn1.weight",
      "0.bn1.bias",
    ]);
    seq.dispose();
  });
});

/**
 * Mixed precision: libtorch's CPU autocast runs convolutions and matmuls in bf16 and keeps the
 * weights and their gradients fp32 (numbers against torch.autocast("cpu", torch.bfloat16)), and
 * GradScaler's dynamic loss scaling, worked by hand.
 */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { bf16ConvolutionBlocked } from "../../src/engine/cpu-kernels.js";
import {
  autocast,
  F,
  isAutocastEnabled,
  scalar,
  type Tensor,
  tensor,
  tidy,
} from "../../src/engine/index.js";
import { GradScaler, SGD } from "../../src/nn/optim/index.js";
import { resolveRunConfig } from "../../src/train/recipes.js";
import { fromJson, type TensorJson, worstViolation } from "../engine/fixture-tensors.js";
import { pytorchReference } from "../engine/pytorch-reference.js";

// Capped below AVX-512 on an AVX-512 CPU, neither libtorch here nor PyTorch's script has a bf16
// convolution (test/train/precision-training.test.ts checks the refusal): the bf16 checks skip.
const bf16Blocked = bf16ConvolutionBlocked();
const reference = pytorchReference(
  "autocast_bf16.py",
  new URL("./fixtures/autocast_bf16.json", import.meta.url).pathname,
  [],
  bf16Blocked,
);
// Live: the same libtorch kernels on the same CPU, so the same bf16 roundings. Across CPUs
// the fp32 accumulations inside a bf16 kernel may round to the neighbouring bf16 value
// (2^-8 relative), and the gradients inherit it: a few bf16 steps of tolerance.
const { atol, rtol } = reference.live ? { atol: 1e-6, rtol: 1e-6 } : { atol: 1e-2, rtol: 3e-2 };

interface Fixture {
  inputs: Record<"x" | "conv_w" | "conv_b" | "lin_w" | "lin_b", TensorJson> & { labels: number[] };
  conv: TensorJson;
  logits: TensorJson;
  loss: TensorJson;
  grads: Record<"conv_w" | "conv_b" | "lin_w" | "lin_b", TensorJson>;
}
const fixture = JSON.parse(readFileSync(reference.path, "utf8")) as Fixture;

const values = (t: Tensor) => Array.from(t.float().dataSync() as Float32Array);

describe.skipIf(bf16Blocked !== null)(`CPU autocast to bf16 (${reference.source})`, () => {
  afterEach(() => expect(isAutocastEnabled("cpu")).toBe(false));

  it("runs conv2d and linear in bf16, the loss in fp32, and leaves weights and grads fp32", () => {
    tidy(() => {
      const x = fromJson(fixture.inputs.x);
      const params = {
        conv_w: fromJson(fixture.inputs.conv_w).requiresGrad_(),
        conv_b: fromJson(fixture.inputs.conv_b).requiresGrad_(),
        lin_w: fromJson(fixture.inputs.lin_w).requiresGrad_(),
        lin_b: fromJson(fixture.inputs.lin_b).requiresGrad_(),
      };
      const labels = tensor(BigInt64Array.from(fixture.inputs.labels, BigInt), [2]);
      const { conv, logits, loss } = autocast("cpu", "bfloat16", () => {
        expect(isAutocastEnabled("cpu")).toBe(true);
        const conv = F.conv2d(x, params.conv_w, params.conv_b);
        const logits = F.linear(F.relu(conv).flatten(1), params.lin_w, params.lin_b);
        return { conv, logits, loss: F.crossEntropy(logits, labels) };
      });
      expect([conv.dtype, logits.dtype, loss.dtype]).toEqual(["bfloat16", "bfloat16", "float32"]);
      expect(fixture.conv.dtype).toBe("bfloat16");
      loss.backward();
      for (const [name, param] of Object.entries(params)) {
        expect(param.dtype, name).toBe("float32");
        expect(param.grad!.dtype, name).toBe("float32");
        const expected = fixture.grads[name as keyof Fixture["grads"]].data;
        expect(worstViolation(values(param.grad!), expected, atol, rtol), name).toBe(0);
      }
      expect(worstViolation(values(conv), fixture.conv.data, atol, rtol)).toBe(0);
      expect(worstViolation(values(logits), fixture.logits.data, atol, rtol)).toBe(0);
      expect(worstViolation(values(loss), fixture.loss.data, atol, rtol)).toBe(0);
    });
  });

  it("is off outside the region and after an error inside it", () => {
    const x = tensor(Float32Array.from([1, 2, 3, 4]), [2, 2]);
    expect(F.linear(x, x).dtype).toBe("float32");
    expect(() =>
      autocast("cpu", "bfloat16", () => {
        throw new Error("inside");
      }),
    ).toThrow("inside");
    expect(F.linear(x, x).dtype).toBe("float32");
    x.dispose();
  });
});

describe("GradScaler (torch.cuda.amp.GradScaler's rules)", () => {
  // One parameter at 1, SGD at lr 1: a step subtracts the unscaled gradient.
  const setup = (options: ConstructorParameters<typeof GradScaler>[0]) => {
    const param = tensor(Float32Array.from([1]), [1]).requiresGrad_();
    const optimizer = new SGD([param], { lr: 1 });
    return { param, optimizer, scaler: new GradScaler(options) };
  };
  /** backward of scale × (g · param), so the unscaled gradient is g. */
  const backward = (scaler: GradScaler, param: Tensor, g: number) =>
    tidy(() => scaler.scaleLoss(param.mul(scalar(g)).sum()).backward());

  it("starts at 2^16, grows ×2 after 2000 good steps, backs off ×0.5", () => {
    const scaler = new GradScaler();
    expect(scaler.scale).toBe(65536);
    expect(scaler.state()).toEqual({ scale: 65536, growthTracker: 0 });
  });

  it("unscales before the step, skips it and halves the scale on an inf", () => {
    const { param, optimizer, scaler } = setup({ initScale: 8, growthInterval: 3 });
    backward(scaler, param, 0.5);
    expect(values(param.grad!)).toEqual([4]); // 8 × 0.5: the scaled gradient
    expect(scaler.step(optimizer)).toBe(true);
    scaler.update();
    expect(values(param)).toEqual([0.5]); // 1 − 0.5: stepped on the unscaled gradient
    expect(scaler.state()).toEqual({ scale: 8, growthTracker: 1 });
    optimizer.zeroGrad();

    backward(scaler, param, Number.POSITIVE_INFINITY);
    expect(scaler.step(optimizer)).toBe(false);
    scaler.update();
    expect(values(param)).toEqual([0.5]); // skipped
    expect(scaler.state()).toEqual({ scale: 4, growthTracker: 0 });
    optimizer.zeroGrad();

    backward(scaler, param, Number.NaN);
    expect(scaler.step(optimizer)).toBe(false);
    scaler.update();
    expect(scaler.state()).toEqual({ scale: 2, growthTracker: 0 });
    optimizer.zeroGrad();
    optimizer.dispose();
  });

  it("doubles the scale after growthInterval good steps in a row, and starts counting again", () => {
    const { param, optimizer, scaler } = setup({ initScale: 8, growthInterval: 3 });
    const trackers: number[] = [];
    const scales: number[] = [];
    for (let step = 0; step < 7; step++) {
      backward(scaler, param, 0.125);
      scaler.step(optimizer);
      scaler.update();
      optimizer.zeroGrad();
      trackers.push(scaler.growthTracker);
      scales.push(scaler.scale);
    }
    expect(trackers).toEqual([1, 2, 0, 1, 2, 0, 1]);
    expect(scales).toEqual([8, 8, 16, 16, 16, 32, 32]);
    // Seven good steps of 0.125 each from 1: exact in binary.
    expect(values(param)).toEqual([1 - 7 * 0.125]);
    optimizer.dispose();
  });

  it("keeps a scale that would overflow float32", () => {
    const { param, optimizer, scaler } = setup({ initScale: 2 ** 127, growthInterval: 1 });
    backward(scaler, param, 0);
    scaler.step(optimizer);
    scaler.update();
    expect(scaler.scale).toBe(2 ** 127);
    optimizer.dispose();
  });
});

describe("which precision a device runs", () => {
  it("refuses fp16 and TF32 on CPU in one line naming the flag", () => {
    expect(() => resolveRunConfig({ precision: "fp16" })).toThrow(
      /^--precision fp16: libtorch's CPU autocast runs bf16 only/,
    );
    expect(() => resolveRunConfig({ tf32: true })).toThrow(/^--tf32 on: TF32 is a CUDA mode/);
    expect(resolveRunConfig({ precision: "fp16", device: "cuda" })).toMatchObject({
      precision: "fp16",
      tf32: false,
    });
    expect(resolveRunConfig({})).toMatchObject({ precision: "fp32", tf32: false });
  });
});

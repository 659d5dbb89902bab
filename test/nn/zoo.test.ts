/**
 * The overhead study's zoo additions: parameter counts against the published ones, layouts
 * named as the reference implementations name them, and logits of the right shape.
 *
 * Which counts are compared: `parameterCount()` counts trainable tensors only. torchvision's
 * published counts (ResNet152) are the same thing. Keras's "Total params" also counts each
 * BatchNormalization's moving mean and variance (non-trainable weights), so for Keras models
 * the test compares trainable + running_mean + running_var elements with Keras's total, and
 * the trainable count alone with Keras's "Trainable params".
 */

import { describe, expect, it } from "vitest";
import { Generator, liveTensors, randn, tidy } from "../../src/engine/index.js";
import { createModel, type Model } from "../../src/nn/models/index.js";
import { PUBLISHED } from "./published-counts.js";

function movingStatistics(model: Model): number {
  let count = 0;
  for (const [name, tensor] of model.namedBuffers()) {
    if (name.endsWith(".running_mean") || name.endsWith(".running_var")) count += tensor.size;
  }
  return count;
}

describe("parameter counts match the published ones", () => {
  for (const p of PUBLISHED) {
    it(`${p.model} (${p.source})`, () => {
      const before = liveTensors();
      const model = createModel(p.model, { generator: new Generator(0, "init") });
      if (p.source === "torchvision") {
        expect(model.parameterCount()).toBe(p.total);
      } else {
        expect(model.parameterCount()).toBe(p.trainable);
        expect(model.parameterCount() + movingStatistics(model)).toBe(p.total);
      }
      model.dispose();
      expect(liveTensors()).toBe(before);
    });
  }
});

describe("state-dict names follow the reference layouts", () => {
  const names = (model: string) => {
    const m = createModel(model, { generator: new Generator(0, "init"), classes: 10 });
    const keys = [...m.stateDict().keys()];
    m.dispose();
    return keys;
  };

  it("resnet152: torchvision's, 36 blocks in layer3", () => {
    const keys = names("resnet152");
    expect(keys.slice(0, 2)).toEqual(["conv1.weight", "bn1.weight"]);
    expect(keys).toContain("layer3.35.conv3.weight");
    expect(keys).not.toContain("layer3.36.conv1.weight");
    expect(keys.slice(-2)).toEqual(["fc.weight", "fc.bias"]);
  });

  it("densenet121 and 201: torchvision's", () => {
    const keys = names("densenet121");
    expect(keys[0]).toBe("features.conv0.weight");
    expect(keys).toContain("features.denseblock3.denselayer24.conv2.weight");
    expect(keys).not.toContain("features.denseblock3.denselayer25.conv2.weight");
    expect(keys).toContain("features.transition3.conv.weight");
    expect(keys).toContain("features.norm5.running_var");
    expect(keys.slice(-2)).toEqual(["classifier.weight", "classifier.bias"]);
    expect(names("densenet201")).toContain("features.denseblock4.denselayer32.conv1.weight");
  });

  it("mobilenet: Keras's layer names, depthwise convs with one input channel per filter", () => {
    const m = createModel("mobilenet", { generator: new Generator(0, "init") });
    const state = m.stateDict();
    expect([...state.keys()][0]).toBe("conv1.conv.weight");
    expect(state.get("conv_dw_13.conv.weight")!.shape).toEqual([1024, 1, 3, 3]);
    expect(state.get("conv_pw_13.conv.weight")!.shape).toEqual([1024, 1024, 1, 1]);
    expect(state.get("conv_preds.bias")!.shape).toEqual([1000]);
    m.dispose();
  });
});

describe("logits", () => {
  // Small inputs keep this fast; the models run at any size their pooling allows.
  for (const model of PUBLISHED.map((p) => p.model)) {
    it(`${model}: [2, 3, 64, 64] → [2, 10], and a backward pass reaches the first layer`, () => {
      const m = createModel(model, {
        generator: new Generator(0, "init"),
        classes: 10,
        inputShape: [3, 64, 64],
      });
      const before = liveTensors();
      tidy(() => {
        const out = m.forward(randn([2, 3, 64, 64], new Generator(1, "input")));
        expect(out.shape).toEqual([2, 10]);
        out.square().mean().backward();
        const first = m.parameters()[0]!;
        expect(first.grad!.abs().sum().item()).toBeGreaterThan(0);
      });
      m.zeroGrad();
      expect(liveTensors()).toBe(before);
      m.dispose();
    });
  }
});

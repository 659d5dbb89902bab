/**
 * The overhead study's zoo additions: parameter counts against the published ones, layouts
 * named as the reference implementations name them, and logits of the right shape.
 *
 * Which counts are compared: `parameterCount()` counts trainable tensors only. torchvision's
 * published counts (ResNet152) are the same thing. Keras's "Total params" also counts each
 * BatchNormalization's moving mean and variance (non-trainable weights), so for Keras models
 * the test compares trainable + running_mean + running_var elements with Keras's total, and
 * the trainable count alone with Keras's "Trainable params". EfficientNetB0's Keras total also
 * holds its input Normalization layer's 7 statistics (`otherStatistics`), left out here.
 */

import { describe, expect, it } from "vitest";
import { Generator, liveTensors, randn, tidy } from "../../src/engine/index.js";
import { samePadding } from "../../src/nn/layers/index.js";
import { createModel, INCEPTION_V3_MIN_SIZE, type Model } from "../../src/nn/models/index.js";
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
        const statistics = movingStatistics(model) + (p.otherStatistics ?? 0);
        expect(model.parameterCount() + statistics).toBe(p.total);
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

  it("inceptionv3: torchvision's names, BatchNorm without gamma, no auxiliary classifier", () => {
    const m = createModel("inceptionv3", { generator: new Generator(0, "init") });
    const state = m.stateDict();
    const keys = [...state.keys()];
    expect(keys.slice(0, 5)).toEqual([
      "Conv2d_1a_3x3.conv.weight",
      "Conv2d_1a_3x3.bn.bias",
      "Conv2d_1a_3x3.bn.running_mean",
      "Conv2d_1a_3x3.bn.running_var",
      "Conv2d_1a_3x3.bn.num_batches_tracked",
    ]);
    expect(keys.filter((k) => k.endsWith("bn.weight"))).toEqual([]);
    expect(keys.some((k) => k.startsWith("AuxLogits"))).toBe(false);
    expect(state.get("Mixed_6b.branch7x7_2.conv.weight")!.shape).toEqual([128, 128, 1, 7]);
    expect(state.get("Mixed_6e.branch7x7dbl_5.conv.weight")!.shape).toEqual([192, 192, 1, 7]);
    expect(state.get("Mixed_7c.branch3x3dbl_3b.conv.weight")!.shape).toEqual([384, 384, 3, 1]);
    expect(keys.slice(-2)).toEqual(["fc.weight", "fc.bias"]);
    expect(state.get("fc.weight")!.shape).toEqual([1000, 2048]);
    m.dispose();
  });

  it("efficientnetb0: Keras's layer names, 16 blocks, and Keras's initialisers", () => {
    const m = createModel("efficientnetb0", { generator: new Generator(0, "init") });
    const state = m.stateDict();
    const keys = [...state.keys()];
    expect(keys.slice(0, 2)).toEqual(["stem_conv.weight", "stem_bn.weight"]);
    const blocks = [
      ...new Set(keys.map((k) => k.split(".")[0]!).filter((k) => k.startsWith("block"))),
    ];
    expect(blocks).toEqual(
      "1a 2a 2b 3a 3b 4a 4b 4c 5a 5b 5c 6a 6b 6c 6d 7a".split(" ").map((b) => `block${b}`),
    );
    expect(keys).not.toContain("block1a.expand_conv.weight");
    expect(state.get("block2a.expand_conv.weight")!.shape).toEqual([96, 16, 1, 1]);
    expect(state.get("block2a.se_reduce.weight")!.shape).toEqual([4, 96, 1, 1]);
    expect(state.get("block2a.se_expand.bias")!.shape).toEqual([96]);
    expect(state.get("block6a.dwconv.weight")!.shape).toEqual([672, 1, 5, 5]);
    expect(keys.slice(-2)).toEqual(["predictions.weight", "predictions.bias"]);
    tidy(() => {
      // VarianceScaling(2, fan-out, truncated normal): the draws' spread is √(2/fanOut), cut at
      // 2·√(2/fanOut)/0.8796; a depthwise kernel's fan-out is k·k (Keras's), not C·k·k.
      const spread = (name: string, fanOut: number) => {
        const w = state.get(name)!;
        const std = Math.sqrt(2 / fanOut);
        expect(w.std().item() / std).toBeCloseTo(1, 1);
        expect(w.abs().max().item()).toBeLessThan((2 * std) / 0.87962566103423978);
      };
      spread("block6a.dwconv.weight", 25);
      spread("block6a.expand_conv.weight", 672);
      spread("top_conv.weight", 1280);
      // The Dense: VarianceScaling(1/3, fan-out, uniform), ±√(1/classes).
      const dense = state.get("predictions.weight")!;
      expect(dense.abs().max().item()).toBeLessThanOrEqual(Math.sqrt(1 / 1000));
      expect(dense.abs().max().item()).toBeGreaterThan(0.99 * Math.sqrt(1 / 1000));
    });
    m.dispose();
  });
});

describe("input sizes and padding", () => {
  it("mediumcnn names its minimum input size (six 2×2 poolings) when given a smaller one", () => {
    const init = new Generator(0, "init");
    expect(() => createModel("mediumcnn", { generator: init, inputShape: [1, 28, 28] })).toThrow(
      /mediumcnn: input 28×28 is too small \(needs ≥ 64×64\)/,
    );
    expect(() => createModel("mediumcnn", { generator: init, inputShape: [3, 64, 63] })).toThrow(
      /64×63 is too small/,
    );
    createModel("mediumcnn", { generator: init, inputShape: [3, 64, 64] }).dispose();
  });

  it("inceptionv3 names its minimum input size when given a smaller one", () => {
    expect(INCEPTION_V3_MIN_SIZE).toBe(75);
    const init = new Generator(0, "init");
    expect(() => createModel("inceptionv3", { generator: init, inputShape: [3, 74, 299] })).toThrow(
      /74×299 is too small \(needs ≥ 75×75\)/,
    );
    const m = createModel("inceptionv3", { generator: init, inputShape: [3, 75, 75] });
    const before = liveTensors();
    tidy(() => {
      const x = randn([1, 3, 75, 74], new Generator(1, "input"));
      expect(() => m.forward(x)).toThrow(/75×74 is too small \(needs ≥ 75×75\)/);
    });
    expect(liveTensors()).toBe(before);
    m.dispose();
  });

  it("EfficientNet's ZeroPadding2D(correct_pad) at stride 2 is TensorFlow's same padding", () => {
    // keras.applications.imagenet_utils.correct_pad for one dim, as [before, after].
    const correctPad = (size: number, kernel: number) => [
      Math.floor(kernel / 2) - (1 - (size % 2)),
      Math.floor(kernel / 2),
    ];
    for (const kernel of [3, 5]) {
      for (let size = 1; size <= 300; size++) {
        expect(samePadding(size, kernel, 2)).toEqual(correctPad(size, kernel));
      }
    }
  });
});

describe("efficientnetb0: dropout and drop connect", () => {
  const forward = (m: Model) =>
    tidy(() => m.forward(randn([2, 3, 32, 32], new Generator(1, "input"))).toArray());

  it("are off unless a dropout generator is given, and random (in training) when it is", () => {
    const init = () => new Generator(0, "init");
    expect(() => createModel("efficientnetb0", { generator: init(), dropConnect: 0.2 })).toThrow(
      /dropoutGenerator/,
    );
    expect(() => createModel("efficientnetb0", { generator: init(), dropout: 0.2 })).toThrow(
      /generator/,
    );
    const before = liveTensors();
    const plain = createModel("efficientnetb0", { generator: init(), inputShape: [3, 32, 32] });
    const dropping = createModel("efficientnetb0", {
      generator: init(),
      inputShape: [3, 32, 32],
      dropoutGenerator: new Generator(2, "dropout"),
    });
    expect(forward(dropping.eval())).toEqual(forward(plain.eval()));
    plain.train();
    dropping.train();
    expect(forward(plain)).toEqual(forward(plain));
    expect(forward(dropping)).not.toEqual(forward(dropping));
    const connectOnly = createModel("efficientnetb0", {
      generator: init(),
      inputShape: [3, 32, 32],
      dropout: 0,
      dropoutGenerator: new Generator(2, "dropout"),
    });
    expect(forward(connectOnly)).not.toEqual(forward(connectOnly));
    connectOnly.dispose();
    plain.dispose();
    dropping.dispose();
    expect(liveTensors()).toBe(before);
  });
});

describe("logits", () => {
  // Small inputs keep this fast; the models run at any size their pooling allows.
  for (const { model, minInputSize } of PUBLISHED) {
    const size = Math.max(64, minInputSize ?? 0);
    it(`${model}: [2, 3, ${size}, ${size}] → [2, 10], and backward reaches the first layer`, () => {
      const m = createModel(model, {
        generator: new Generator(0, "init"),
        classes: 10,
        inputShape: [3, size, size],
      });
      const before = liveTensors();
      tidy(() => {
        const out = m.forward(randn([2, 3, size, size], new Generator(1, "input")));
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

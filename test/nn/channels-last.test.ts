/**
 * A channels_last model keeps its activations in channels_last even where libtorch cannot
 * tell the layouts apart: with one input channel (Fashion-MNIST, MNIST) the input and the first
 * convolution's weight are contiguous both ways, and libtorch answers in NCHW. Values are
 * compared with the contiguous layer's within 1e-5 relative (the layouts' kernels sum in
 * other orders; measured differences are a few ULP).
 */
import { describe, expect, it } from "vitest";
import { F, Generator, randn, tidy } from "../../src/engine/index.js";
import { Conv2d } from "../../src/nn/layers/index.js";
import { buildModel } from "../../src/train/model-setup.js";
import { resolveRunConfig } from "../../src/train/recipes.js";

const layer = () =>
  new Conv2d({
    inChannels: 1,
    outChannels: 8,
    kernelSize: 3,
    padding: "same",
    generator: new Generator(0, "init"),
  });

describe("channels_last with one input channel", () => {
  it("answers in channels_last, with the contiguous layer's values", () => {
    const contiguous = layer();
    const channelsLast = layer().toMemoryFormat("channels_last");
    expect(channelsLast.memoryLayout).toBe("channels_last");
    tidy(() => {
      const input = randn([4, 1, 6, 6], new Generator(1, "input"));
      const expected = contiguous.forward(input);
      const actual = channelsLast.forward(input.contiguous("channels_last"));
      expect(expected.isContiguous("channels_last")).toBe(false);
      expect(actual.isContiguous("channels_last")).toBe(true);
      expect(actual.isContiguous("contiguous")).toBe(false);
      const [a, e] = [actual.toArray(), expected.toArray()];
      let worst = 0;
      for (let i = 0; i < e.length; i++) {
        worst = Math.max(worst, Math.abs(a[i]! - e[i]!) - 1e-5 * Math.abs(e[i]!));
      }
      expect(worst).toBeLessThanOrEqual(1e-7);
    });
    contiguous.dispose();
    channelsLast.dispose();
  });
});

// A [8, 1, 3, 3] weight fits both layouts with its contiguous strides (9, 9, 3, 1). PyTorch's
// `Module.to(memory_format=torch.channels_last)` gives it (9, 1, 3, 1), and so does
// toMemoryFormat unless told to keep the strides as runs recorded before layoutStrides did.
describe("channels_last strides of a weight that fits both layouts", () => {
  it("canonical: the layout's own strides, and the convolution answers in channels_last", () => {
    const conv = layer().toMemoryFormat("channels_last");
    expect(conv.weight.strides).toEqual([9, 1, 3, 1]);
    tidy(() => {
      const input = randn([4, 1, 6, 6], new Generator(1, "input")).contiguous("channels_last");
      // libtorch's own answer, before the layer's keep-the-layout copy.
      expect(F.conv2d(input, conv.weight, conv.bias, { padding: "same" }).strides).toEqual([
        288, 1, 48, 8,
      ]);
    });
    conv.dispose();
  });

  it("kept: the strides stay, and libtorch answers in NCHW", () => {
    const conv = layer().toMemoryFormat("channels_last", "kept");
    expect(conv.weight.strides).toEqual([9, 9, 3, 1]);
    tidy(() => {
      const input = randn([4, 1, 6, 6], new Generator(1, "input")).contiguous("channels_last");
      const out = F.conv2d(input, conv.weight, conv.bias, { padding: "same" });
      expect(out.isContiguous("channels_last")).toBe(false);
    });
    conv.dispose();
  });

  it("a recorded config without layoutStrides builds the kept layout", () => {
    const config = resolveRunConfig({ memoryFormat: "channels_last", trainExamples: 10 });
    expect(config.layoutStrides).toBe("canonical");
    const { layoutStrides: _dropped, ...recorded } = config;
    const shape = { channels: 1, height: 28, width: 28 };
    const before = buildModel(recorded as typeof config, shape, 10, new Generator(0, "init"));
    const now = buildModel(config, shape, 10, new Generator(0, "init"));
    expect(before.parameters()[0]!.strides).toEqual([9, 9, 3, 1]);
    expect(now.parameters()[0]!.strides).toEqual([9, 1, 3, 1]);
    before.dispose();
    now.dispose();
  });
});

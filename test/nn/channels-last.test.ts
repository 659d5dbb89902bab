/**
 * A channels_last model keeps its activations in channels_last even where libtorch cannot
 * tell the layouts apart: with one input channel (Fashion-MNIST, MNIST) the input and the first
 * convolution's weight are contiguous both ways, and libtorch answers in NCHW. Values are
 * compared with the contiguous layer's within 1e-5 relative (the layouts' kernels sum in
 * other orders; measured differences are a few ULP).
 */
import { describe, expect, it } from "vitest";
import { Generator, randn, tidy } from "../../src/engine/index.js";
import { Conv2d } from "../../src/nn/layers/index.js";

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

/** Module: explicit registration, PyTorch's state-dict order and names, modes, layouts, memory. */
import { describe, expect, it } from "vitest";
import {
  engineInfo,
  F,
  Generator,
  liveTensors,
  ones,
  Scope,
  type Tensor,
  tidy,
  zeros,
} from "../../src/engine/index.js";
import { BatchNorm2d, Conv2d, Linear, Sequential } from "../../src/nn/layers/index.js";
import { Module } from "../../src/nn/module.js";

class Tiny extends Module {
  readonly conv: Conv2d;
  readonly body: Sequential;

  constructor() {
    super();
    const generator = new Generator(0, "init");
    this.registerParameter("scale", ones([1]));
    this.registerBuffer("steps", zeros([1]));
    this.registerBuffer("scratch", zeros([2]), false);
    this.conv = this.registerModule(
      "conv",
      new Conv2d({ inChannels: 2, outChannels: 4, kernelSize: 3, padding: "same", generator }),
    );
    this.body = this.registerModule(
      "body",
      new Sequential([
        new BatchNorm2d(4),
        new Linear({ inFeatures: 4, outFeatures: 3, generator }),
      ]),
    );
  }

  forward(input: Tensor): Tensor {
    const x = this.body.layers[0]!.forward(this.conv.forward(input)).mean([2, 3]);
    return this.body.layers[1]!.forward(x).mul(this.parameter("scale"));
  }
}

describe("Module", () => {
  it("lays out the state dict as PyTorch: own members, then children in order", () => {
    const tiny = new Tiny();
    expect([...tiny.stateDict().keys()]).toEqual([
      "scale",
      "steps",
      "conv.weight",
      "conv.bias",
      "body.0.weight",
      "body.0.bias",
      "body.0.running_mean",
      "body.0.running_var",
      "body.0.num_batches_tracked",
      "body.1.weight",
      "body.1.bias",
    ]);
    expect([...tiny.namedParameters()].map(([name]) => name)).toEqual([
      "scale",
      "conv.weight",
      "conv.bias",
      "body.0.weight",
      "body.0.bias",
      "body.1.weight",
      "body.1.bias",
    ]);
    expect([...tiny.namedBuffers()].map(([name]) => name)).toContain("scratch");
    expect(tiny.parameterCount()).toBe(1 + 4 * 2 * 9 + 4 + 4 + 4 + 12 + 3);
    expect(tiny.parameters().every((p) => p.requiresGrad)).toBe(true);
    tiny.dispose();
  });

  it("train() and eval() reach every descendant; BatchNorm counts batches only in training", () => {
    const tiny = new Tiny();
    tiny.eval();
    expect([...tiny.namedModules()].every(([, m]) => !m.training)).toBe(true);
    const x = tidy(() => ones([2, 2, 4, 4]));
    tidy(() => {
      tiny.forward(x);
      expect(tiny.stateDict().get("body.0.num_batches_tracked")!.item()).toBe(0);
      tiny.train();
      expect([...tiny.namedModules()].every(([, m]) => m.training)).toBe(true);
      tiny.forward(x);
      tiny.forward(x);
      expect(tiny.stateDict().get("body.0.num_batches_tracked")!.item()).toBe(2);
    });
    x.dispose();
    tiny.dispose();
  });

  it("gradients reach every parameter, and zeroGrad drops them", () => {
    const tiny = new Tiny();
    tidy(() => {
      tiny
        .forward(ones([2, 2, 4, 4]).mul(F.relu(ones([1]))))
        .sum()
        .backward();
      for (const [name, p] of tiny.namedParameters()) expect(p.grad, name).not.toBeNull();
      tiny.zeroGrad();
      expect(tiny.parameters().every((p) => p.grad === null)).toBe(true);
    });
    tiny.dispose();
  });

  it("loadStateDict copies values and rejects wrong names or shapes", () => {
    const a = new Tiny();
    const b = new Tiny();
    tidy(() => {
      const state = new Map([...a.stateDict()].map(([name, t]) => [name, t.add(1)]));
      b.loadStateDict(state);
      expect(b.stateDict().get("conv.weight")!.equal(state.get("conv.weight")!)).toBe(true);
      state.set("conv.bias", zeros([5]));
      expect(() => b.loadStateDict(state)).toThrow(
        /'conv.bias' has shape \[5\], the module expects \[4\]/,
      );
      state.delete("scale");
      state.set("extra", zeros([1]));
      expect(() => b.loadStateDict(state)).toThrow(
        /1 missing key\(s\): scale; 1 unexpected key\(s\): extra/,
      );
    });
    a.dispose();
    b.dispose();
  });

  it("toMemoryFormat converts 4-D parameters, keeps values and trainability", () => {
    const tiny = new Tiny();
    const before = tidy(() => tiny.stateDict().get("conv.weight")!.clone("contiguous"));
    tiny.toMemoryFormat("channels_last");
    const weight = tiny.stateDict().get("conv.weight")!;
    expect(weight.isContiguous("channels_last")).toBe(true);
    expect(weight.isContiguous()).toBe(false);
    expect(weight.requiresGrad && weight.isLeaf).toBe(true);
    expect(tidy(() => weight.equal(before))).toBe(true);
    expect(tiny.parameters()).toContain(weight);
    before.dispose();
    tiny.dispose();
  });

  it("toDevice keeps CPU tensors and reports an unavailable device with libtorch's message", () => {
    const tiny = new Tiny();
    const weight = tiny.stateDict().get("conv.weight")!;
    tiny.toDevice("cpu");
    expect(tiny.stateDict().get("conv.weight")).toBe(weight);
    if (!engineInfo().cudaAvailable) expect(() => tiny.toDevice("cuda")).toThrow(/CUDA|cuda/);
    tiny.dispose();
  });

  it("refuses duplicate and dotted names", () => {
    class Bad extends Module {
      constructor(name: string) {
        super();
        this.registerParameter("w", ones([1]));
        this.registerBuffer(name, zeros([1]));
      }
      forward(input: Tensor): Tensor {
        return input;
      }
    }
    expect(() => new Bad("w")).toThrow(/'w' is already registered/);
    expect(() => new Bad("a.b")).toThrow(/invalid member name 'a.b'/);
  });

  it("owns its tensors: scopes do not free them, dispose does", () => {
    const before = liveTensors();
    const scope = new Scope();
    const tiny = scope.run(() => new Tiny());
    scope.dispose();
    expect(tiny.parameters().every((p) => !p.isDisposed)).toBe(true);
    expect(liveTensors()).toBeGreaterThan(before);
    tiny.dispose();
    expect(liveTensors()).toBe(before);
  });
});

/**
 * The model zoo: parameter counts equal the reference implementations', state dicts are laid
 * out as the same models built in PyTorch (scripts/fixtures/nn_models.py: names and shapes,
 * in order), and each model maps a batch to [N, classes] logits in both memory layouts.
 */

import { describe, expect, it } from "vitest";
import { Generator, liveTensors, rand, tidy } from "../../src/engine/index.js";
import { createModel, type ModelOptions, modelNames } from "../../src/nn/models/index.js";
import { committedOpsFixture } from "./ops-fixture.js";
import { PUBLISHED } from "./published-counts.js";

interface Case {
  layout: string;
  model: string;
  options: Omit<ModelOptions, "generator">;
  /** Counts published for the reference implementations (Keras, torchvision, the paper). */
  published?: number;
}

const CASES: Case[] = [
  { layout: "smallcnn", model: "smallcnn", options: {} },
  { layout: "smallcnn_bn", model: "smallcnn", options: { batchNorm: true } },
  { layout: "resnet18", model: "resnet18", options: { classes: 10 }, published: 11_173_962 },
  {
    layout: "resnet18_celeba",
    model: "resnet18",
    options: { classes: 40, head: "sigmoid", inputShape: [3, 128, 128] },
  },
  { layout: "resnet50", model: "resnet50", options: {}, published: 25_557_032 },
  { layout: "mediumcnn_k1", model: "mediumcnn", options: { kernelSize: 1 } },
  { layout: "mediumcnn_k3", model: "mediumcnn", options: { kernelSize: 3 } },
  { layout: "mediumcnn_k5", model: "mediumcnn", options: { kernelSize: 5 } },
  { layout: "mediumcnn_k7", model: "mediumcnn", options: { kernelSize: 7 } },
  { layout: "vgg16", model: "vgg16", options: {}, published: 138_357_544 },
  { layout: "vgg19", model: "vgg19", options: {}, published: 143_667_240 },
];

describe("parameter counts and state-dict layout match PyTorch", () => {
  for (const c of CASES) {
    it(c.layout, () => {
      const before = liveTensors();
      const model = createModel(c.model, { ...c.options, generator: new Generator(0, "init") });
      const expected = committedOpsFixture.layouts[c.layout]!;
      expect(model.parameterCount()).toBe(expected.parameters);
      if (c.published !== undefined) expect(model.parameterCount()).toBe(c.published);
      const layout = [...model.stateDict()].map(([name, t]) => [name, [...t.shape]]);
      expect(layout).toEqual(expected.state);
      model.dispose();
      expect(liveTensors()).toBe(before);
    });
  }

  it("covers every registered model (here, or against published counts in zoo.test.ts)", () => {
    const covered = [...CASES.map((c) => c.model), ...PUBLISHED.map((p) => p.model)];
    expect(new Set(covered)).toEqual(new Set(modelNames()));
  });
});

describe("output shapes", () => {
  const shapes: {
    model: string;
    options: Omit<ModelOptions, "generator">;
    batch: number[];
    out: number[];
  }[] = [
    { model: "smallcnn", options: { batchNorm: true }, batch: [2, 3, 32, 32], out: [2, 10] },
    { model: "smallcnn", options: { classes: 100 }, batch: [2, 3, 32, 32], out: [2, 100] },
    { model: "resnet18", options: {}, batch: [2, 3, 32, 32], out: [2, 10] },
    {
      model: "resnet18",
      options: { classes: 40, head: "sigmoid", inputShape: [3, 128, 128] },
      batch: [1, 3, 128, 128],
      out: [1, 40],
    },
    { model: "resnet50", options: {}, batch: [1, 3, 224, 224], out: [1, 1000] },
    { model: "mediumcnn", options: { kernelSize: 3 }, batch: [1, 3, 224, 224], out: [1, 1000] },
    { model: "vgg16", options: {}, batch: [1, 3, 224, 224], out: [1, 1000] },
    {
      model: "vgg19",
      options: { classes: 10, inputShape: [3, 32, 32] },
      batch: [2, 3, 32, 32],
      out: [2, 10],
    },
  ];
  for (const s of shapes) {
    it(`${s.model} ${JSON.stringify(s.options)} → [${s.out}]`, () => {
      const before = liveTensors();
      const model = createModel(s.model, {
        ...s.options,
        generator: new Generator(1, "init"),
      }).eval();
      tidy(() => {
        const logits = model.forward(rand(s.batch, new Generator(2, "input")));
        expect(logits.shape).toEqual(s.out);
        expect(logits.isFinite().all().item()).toBe(1);
      });
      model.dispose();
      expect(liveTensors()).toBe(before);
    });
  }

  it("channels_last models convert their 4-D weights and give the same logits", () => {
    const before = liveTensors();
    const plain = createModel("resnet18", { generator: new Generator(3, "init") }).eval();
    const channelsLast = createModel("resnet18", {
      generator: new Generator(3, "init"),
      memoryFormat: "channels_last",
    }).eval();
    expect(channelsLast.memoryFormat).toBe("channels_last");
    for (const [name, t] of channelsLast.namedParameters()) {
      if (t.ndim === 4) expect(t.isContiguous("channels_last"), name).toBe(true);
    }
    tidy(() => {
      const x = rand([2, 3, 32, 32], new Generator(4, "input"));
      const a = plain.forward(x);
      const b = channelsLast.forward(x);
      // Same values up to float32 reordering: the layouts run different kernels.
      expect(a.sub(b).abs().max().item()).toBeLessThan(1e-4);
    });
    plain.dispose();
    channelsLast.dispose();
    expect(liveTensors()).toBe(before);
  });

  it("the same init seed gives the same weights, another seed different ones", () => {
    const build = (seed: number) =>
      createModel("smallcnn", { generator: new Generator(seed, "init") });
    const [a, b, c] = [build(5), build(5), build(6)];
    tidy(() => {
      expect(a.stateDict().get("conv2.weight")!.equal(b.stateDict().get("conv2.weight")!)).toBe(
        true,
      );
      expect(a.stateDict().get("conv2.weight")!.equal(c.stateDict().get("conv2.weight")!)).toBe(
        false,
      );
    });
    for (const m of [a, b, c]) m.dispose();
  });

  it("rejects unknown names and wrong inputs with a message", () => {
    expect(() => createModel("resnet9000", { generator: new Generator(0) })).toThrow(
      /unknown model 'resnet9000'.*smallcnn/,
    );
    const model = createModel("smallcnn", { generator: new Generator(0) });
    expect(() => tidy(() => model.forward(rand([2, 1, 32, 32], new Generator(0))))).toThrow(
      /expected input \[N, 3, 32, 32\]/,
    );
    model.dispose();
  });
});

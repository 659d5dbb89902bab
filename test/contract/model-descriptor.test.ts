/**
 * Models carry their own facts: the recipes, options, limits, layouts and overhead-study
 * places the other layers read from the descriptors, and a model without a recipe.
 */
import { describe, expect, it } from "vitest";
import { refuseInapplicableFlags } from "../../src/cli/flags/inapplicable-flags.js";
import {
  checkInputSize,
  defaultMemoryFormat,
  type ModelDescriptor,
  recipeOf,
} from "../../src/contract/model-descriptor.js";
import { DATASET_NAMES } from "../../src/data/dataset-names.js";
import { PIPELINES } from "../../src/data/registry.js";
import { modelDescriptor, modelNames, zooDescriptors } from "../../src/nn/models/index.js";
import { defaultStudyModels } from "../../src/studies/overhead/models.js";
import { groupName } from "../../src/train/config.js";
import { resolveRunConfig } from "../../src/train/recipes.js";

describe("the zoo's descriptors", () => {
  it("name every zoo model once, with recipes keyed by known datasets", () => {
    expect(zooDescriptors().map((d) => d.name)).toEqual(modelNames());
    for (const descriptor of zooDescriptors()) {
      for (const dataset of Object.keys(descriptor.recipe?.datasets ?? {})) {
        expect(DATASET_NAMES as readonly string[], descriptor.name).toContain(dataset);
      }
      const recipe = recipeOf(descriptor, "cifar10");
      if (recipe !== null) expect(Object.keys(PIPELINES)).toContain(recipe.pipeline);
    }
  });

  it("give the original's recipes (REFERENCE.md), per dataset where the original differs", () => {
    const run = (model: string, dataset: "cifar10" | "celeba" | "imagenet" | "fashion-mnist") =>
      resolveRunConfig({ model, dataset });
    expect(run("smallcnn", "cifar10")).toMatchObject({
      epochs: 200,
      batchSize: 128,
      optimizer: { name: "adam", lr: 4e-4 },
      schedule: "smallcnn",
      transforms: PIPELINES.scale,
      shuffle: { kind: "buffer", size: 1024 },
    });
    expect(run("resnet18", "cifar10")).toMatchObject({
      schedule: "resnet18-cifar",
      transforms: PIPELINES.cifarAugmentStandardize,
      shuffle: { kind: "buffer", size: 10000 },
      head: "softmax",
    });
    expect(run("resnet18", "fashion-mnist").transforms).toEqual(PIPELINES.standardize);
    expect(run("resnet18", "celeba")).toMatchObject({
      epochs: 10,
      optimizer: { name: "adam", lr: 1e-3 },
      schedule: "celeba",
      head: "sigmoid",
      shuffle: { kind: "buffer", size: 1000 },
    });
    for (const model of ["resnet50", "resnet152", "vgg16", "vgg19"]) {
      expect(run(model, "imagenet"), model).toMatchObject({
        epochs: 90,
        batchSize: 256,
        optimizer: { name: "sgd", lr: 0.1, momentum: 0.9, weightDecay: 1e-4 },
        schedule: "resnet50-imagenet",
        labelSmoothing: 0.1,
      });
    }
    expect(run("mediumcnn", "cifar10")).toMatchObject({
      epochs: 10,
      optimizer: { lr: 1e-3 },
      schedule: "constant",
      kernelSize: 3,
    });
  });

  it("set the default layout per device, and the options the group name shows", () => {
    const smallcnn = modelDescriptor("smallcnn");
    expect(defaultMemoryFormat(smallcnn, "cpu")).toBe("channels_last");
    expect(defaultMemoryFormat(smallcnn, "cuda:0")).toBe("contiguous");
    expect(defaultMemoryFormat(modelDescriptor("resnet18"), "cpu")).toBe("contiguous");
    const group = (model: string, extra: object = {}) =>
      groupName(resolveRunConfig({ model, dataset: "cifar10", setting: "algo", ...extra }));
    expect(group("smallcnn", { batchNorm: true })).toBe("smallcnn_bn_cifar10_algo");
    expect(group("resnet18", { batchNorm: true })).toBe("resnet18_cifar10_algo");
    expect(group("mediumcnn", { kernelSize: 5 })).toBe("mediumcnn5_cifar10_algo");
  });

  it("hold each model's smallest input", () => {
    expect(() => checkInputSize(modelDescriptor("resnet18"), 24, 32)).toThrow(
      "resnet18: input 24×32 is too small (needs ≥ 25×25)",
    );
    expect(() => checkInputSize(modelDescriptor("resnet18"), 25, 25)).not.toThrow();
    expect(modelDescriptor("mediumcnn").input.minSize).toBe(64);
    expect(modelDescriptor("inceptionv3").input.minSize).toBe(75);
    expect(modelDescriptor("vgg19").input.minSize).toBe(32);
  });

  it("list the overhead study's models in the original's order", () => {
    expect(defaultStudyModels().map((m) => m.label)).toEqual([
      "mediumcnn-k1",
      "mediumcnn-k3",
      "mediumcnn-k5",
      "mediumcnn-k7",
      "vgg16",
      "vgg19",
      "resnet50",
      "resnet152",
      "densenet121",
      "densenet201",
      "inceptionv3",
      "xception",
      "mobilenet",
      "efficientnetb0",
    ]);
  });

  it("refuse an option the model lacks, naming the models that have it", () => {
    const config = resolveRunConfig({ model: "resnet18" });
    expect(() => refuseInapplicableFlags({ bn: true }, config)).toThrow(
      "--bn: only smallcnn has a BatchNorm switch (resnet18 has none); drop --bn",
    );
    expect(() => refuseInapplicableFlags({ kernelSize: 5 }, config)).toThrow(
      "--kernel-size: only mediumcnn takes a kernel size (not resnet18); drop --kernel-size",
    );
  });
});

describe("a model without a recipe", () => {
  it("asks in one line for the hyper-parameters a recipe would give", () => {
    expect(() => resolveRunConfig({ model: "densenet121", dataset: "cifar10" })).toThrow(
      "model densenet121 has no recipe: give --epochs, --batch-size, --optimizer, --lr (in a plan: epochs, batchSize, optimizer.name, optimizer.lr)",
    );
    expect(() =>
      resolveRunConfig({ model: "mobilenet", epochs: 3, optimizer: { name: "sgd" } }),
    ).toThrow(
      "model mobilenet has no recipe: give --batch-size, --lr (in a plan: batchSize, optimizer.lr)",
    );
  });

  it("trains with what it is told and the plainest rest, never another model's recipe", () => {
    const config = resolveRunConfig({
      model: "xception",
      epochs: 3,
      batchSize: 32,
      optimizer: { name: "sgd", lr: 0.01 },
    });
    expect(config).toMatchObject({
      epochs: 3,
      batchSize: 32,
      optimizer: { name: "sgd", lr: 0.01, momentum: 0, nesterov: false, weightDecay: 0 },
      schedule: "constant",
      labelSmoothing: 0,
      transforms: PIPELINES.scale,
      shuffle: { kind: "permutation" },
      head: "softmax",
      memoryFormat: "contiguous",
    });
  });

  it("may come from outside the zoo, with its own options and limits", () => {
    const imported: ModelDescriptor = {
      name: "from-file",
      displayName: "from-file",
      description: "a model read from a file",
      options: {},
      input: { minSize: 8 },
    };
    expect(() => resolveRunConfig({}, imported)).toThrow(/model from-file has no recipe/);
    const config = resolveRunConfig(
      { epochs: 1, batchSize: 8, optimizer: { name: "adam", lr: 1e-3 }, kernelSize: 5 },
      imported,
    );
    expect(config.model).toBe("from-file");
    expect(config.kernelSize).toBeNull();
    expect(groupName(config)).toBe("from-file_fashion-mnist_control");
  });
});

/**
 * The zoo's models with dropout (VGG, MobileNet, EfficientNetB0) take the dropout source's
 * generator, and keep the rates they trained with before dropout was a source: 0 in every
 * recipe (EfficientNetB0 would otherwise take Keras's 0.2 and its drop-connect once it has a
 * generator). A run recorded before the source (no dropout generator) builds them as before.
 */
import { describe, expect, it } from "vitest";
import { Generator } from "../../src/engine/index.js";
import type { Module } from "../../src/nn/index.js";
import { resolveRunConfig } from "../../src/train/index.js";
import { buildModel } from "../../src/train/model-setup.js";

/** Every module that draws masks: Dropout's `p`, DropConnect's `rate`, and its generator. */
function maskModules(model: Module): { rate: number; generator: Generator | null }[] {
  return [...model.namedModules()].flatMap(([, module]) => {
    const m = module as unknown as { p?: number; rate?: number; generator?: Generator | null };
    const rate = m.p ?? m.rate;
    return rate === undefined || m.generator === undefined
      ? []
      : [{ rate, generator: m.generator }];
  });
}

/** MobileNet and EfficientNetB0 have no CIFAR-10 recipe: a run names its own. */
const RECIPE = { epochs: 1, batchSize: 8, optimizer: { name: "sgd" as const, lr: 0.1 } };

describe("a zoo model's dropout", () => {
  const shape = { channels: 3, height: 32, width: 32 };
  for (const name of ["vgg16", "mobilenet", "efficientnetb0"]) {
    it(`${name}: masks from the dropout source's generator, at the recipe's rate 0`, () => {
      const config = resolveRunConfig({ model: name, dataset: "cifar10", ...RECIPE });
      const dropout = new Generator(1, "dropout");
      const model = buildModel(config, shape, 10, new Generator(0, "init"), dropout);
      const masks = maskModules(model);
      expect(masks.length).toBeGreaterThan(0);
      for (const mask of masks) expect(mask).toEqual({ rate: 0, generator: dropout });
      model.dispose();
      const before = buildModel(config, shape, 10, new Generator(0, "init"), null);
      for (const mask of maskModules(before)) expect(mask).toEqual({ rate: 0, generator: null });
      before.dispose();
    }, 60_000);
  }
});

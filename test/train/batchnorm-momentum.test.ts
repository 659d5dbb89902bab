/** SmallCNN's BatchNorm momentum: Keras's by default, a plan's where it sets one. */
import { describe, expect, it } from "vitest";
import { Generator } from "../../src/engine/index.js";
import { BatchNorm2d } from "../../src/nn/layers/index.js";
import { createModel } from "../../src/nn/models/index.js";
import { resolveRunConfig } from "../../src/train/index.js";

const momenta = (batchNormMomentum?: number) => {
  const model = createModel("smallcnn", {
    generator: new Generator(0, "init"),
    batchNorm: true,
    ...(batchNormMomentum === undefined ? {} : { batchNormMomentum }),
  });
  const result = [...model.namedModules()]
    .filter(([, module]) => module instanceof BatchNorm2d)
    .map(([, module]) => (module as BatchNorm2d).momentum);
  model.dispose();
  return result;
};

describe("SmallCNN's BatchNorm momentum", () => {
  it("is Keras's 0.99 (0.01 in PyTorch's terms) unless given", () => {
    expect(momenta()).toEqual([0.01, 0.01, 0.01]);
    expect(momenta(0.1)).toEqual([0.1, 0.1, 0.1]);
  });

  it("is recorded in the run config, null by default", () => {
    expect(resolveRunConfig({ batchNorm: true }).batchNormMomentum).toBeNull();
    expect(resolveRunConfig({ batchNorm: true, batchNormMomentum: 0.1 }).batchNormMomentum).toBe(
      0.1,
    );
  });

  it("is refused where there is no BatchNorm to apply it to", () => {
    expect(() => resolveRunConfig({ batchNormMomentum: 0.1 })).toThrow(
      /batchNormMomentum: only SmallCNN with batchNorm/,
    );
    expect(() => resolveRunConfig({ batchNorm: true, batchNormMomentum: 1.5 })).toThrow(
      /batchNormMomentum/,
    );
  });
});

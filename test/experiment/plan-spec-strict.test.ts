/**
 * Plans are checked strictly: an unknown field anywhere is refused with its path and the
 * nearest known name, a run-config field in the wrong place says where it belongs, and every
 * mistake of a plan comes in one pass (the scenarios of a user's first plans).
 */
import { describe, expect, it } from "vitest";
import { nearestName } from "../../src/experiment/field-names.js";
import { validatePlanSpec } from "../../src/experiment/plan-spec.js";

const grid = { models: ["smallcnn"], datasets: ["fashion-mnist"] };

function refusal(spec: unknown): string {
  try {
    validatePlanSpec(spec, "p.json");
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("the plan was accepted");
}

describe("strict plan specs", () => {
  it("refuses a misspelt optimizer field, naming the known one", () => {
    const message = refusal({ replicates: 1, base: { optimizer: { learningRate: 0.01 } }, grid });
    expect(message).toBe("p.json: base.optimizer: unknown field 'learningRate'; did you mean lr?");
  });

  it("says that lr in base belongs in optimizer.lr", () => {
    expect(refusal({ replicates: 1, base: { lr: 0.01 }, grid })).toMatch(
      /base\.lr: unknown run-config field 'lr'; it belongs in optimizer\.lr/,
    );
  });

  it("reports every mistake in one pass, options included", () => {
    const message = refusal({
      replicates: 0,
      base: { batchsize: 3 },
      grid: { models: ["smallcnn"], datasets: ["fashion-mnst"], options: { bn: [true] } },
    });
    const parts = message.split("; p.json: ");
    expect(parts).toHaveLength(4);
    expect(message).toMatch(/replicates: must be a whole number/);
    expect(message).toMatch(/base\.batchsize: .*did you mean batchSize\?/);
    expect(message).toMatch(/grid\.datasets\[0\]: .*fashion-mnst/);
    expect(message).toMatch(/grid\.options\.bn: .*did you mean batchNorm\?/);
  });

  it("refuses unknown fields at the top level and in a grid", () => {
    const message = refusal({ replicates: 1, grdi: {}, grid: { ...grid, option: {} } });
    expect(message).toMatch(/\(top level\): unknown field 'grdi'; did you mean grid\?/);
    expect(message).toMatch(/grid: unknown field 'option'; did you mean options\?/);
  });

  it("still accepts a partial optimizer", () => {
    const spec = validatePlanSpec({ replicates: 1, base: { optimizer: { lr: 0.01 } }, grid }, "p");
    expect(spec.base).toEqual({ optimizer: { lr: 0.01 } });
  });

  it("suggests only names that are near", () => {
    expect(nearestName("learningRate", ["name", "lr", "momentum"])).toBe("lr");
    expect(nearestName("epohcs", ["epochs", "batchSize"])).toBe("epochs");
    expect(nearestName("colour", ["epochs", "batchSize"])).toBeUndefined();
  });
});

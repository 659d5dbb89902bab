/** A format dataset in a plan: the grid names it, dataDirs gives its folder, base its options. */
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { expandPlan } from "../../src/experiment/plan.js";
import { validatePlanSpec } from "../../src/experiment/plan-spec.js";

const spec = (base: Record<string, unknown>) => ({
  replicates: 2,
  base: { epochs: 1, ...base },
  dataDirs: { npy: "/data/mine", parquet: "/data/hf" },
  grid: { models: ["smallcnn"], datasets: ["npy", "parquet"], settings: ["control"] },
});

describe("plans over data formats", () => {
  it("expands npy and parquet runs with their folders and data options", () => {
    const plan = expandPlan(
      validatePlanSpec(spec({ dataOptions: { scale: 255, classes: 10 } }), "spec.json"),
      "spec.json",
    );
    const configs = plan.runs.map((run) => run.config);
    expect(configs.map((c) => [c.dataset, c.dataDir])).toEqual([
      ["npy", "/data/mine"],
      ["npy", "/data/mine"],
      ["parquet", "/data/hf"],
      ["parquet", "/data/hf"],
    ]);
    expect(configs.every((c) => c.dataOptions?.scale === 255 && c.dataOptions.classes === 10)).toBe(
      true,
    );
  });

  it("refuses data options on a dataset that says its own, and unknown ones", () => {
    const cifar = {
      ...spec({ dataOptions: { layout: "nhwc" } }),
      grid: { models: ["smallcnn"], datasets: ["cifar10"], settings: ["control"] },
    };
    expect(() => expandPlan(validatePlanSpec(cifar, "spec.json"), "spec.json")).toThrow(UserError);
    expect(() =>
      expandPlan(validatePlanSpec(spec({ dataOptions: { scael: 1 } }), "spec.json"), "spec.json"),
    ).toThrow(UserError);
  });
});

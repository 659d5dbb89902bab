/**
 * `experiment run --preset tooling --model FILE.onnx --optimizer adam --lr 0.003 --batch-size 64`:
 * a preset on the user's own model. Every grid trains the file, every run carries the recipe
 * given on the command line, and without a recipe the preset is refused in one line naming the
 * flags to give.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { recipeOverrides } from "../../src/cli/flags/plan-recipe-flags.js";
import { UserError } from "../../src/errors.js";
import { planFromSource } from "../../src/experiment/plan-source.js";

const MODEL = resolve(import.meta.dirname, "../../examples/smallcnn-pytorch.onnx");
const TOOLING = { kind: "preset", name: "tooling" } as const;

describe("a preset on an imported model", () => {
  it("trains the file in every grid with the recipe the flags give", () => {
    const base = recipeOverrides({ optimizer: "adam", lr: 0.003, batchSize: 64 });
    expect(base).toEqual({ "optimizer.name": "adam", "optimizer.lr": 0.003, batchSize: 64 });
    const plan = planFromSource(TOOLING, { model: MODEL, base });
    const sha = createHash("sha256").update(readFileSync(MODEL)).digest("hex");
    const smallcnn = planFromSource(TOOLING);
    // The same grid of tooling variants as the preset's own, on the file.
    expect(plan.runs).toHaveLength(smallcnn.runs.length);
    for (const run of plan.runs) {
      expect(run.config.model).toBe(MODEL);
      expect(run.config.modelSha256).toBe(sha);
      expect(run.config.optimizer).toMatchObject({ name: "adam", lr: 0.003 });
      expect(run.config.batchSize).toBe(64);
    }
    expect(new Set(plan.runs.map((run) => run.config.setting))).toEqual(
      new Set(smallcnn.runs.map((run) => run.config.setting)),
    );
  });

  it("is refused in one line naming the recipe flags when they are missing", () => {
    const refusal = (() => {
      try {
        planFromSource(TOOLING, { model: MODEL });
      } catch (error) {
        return error;
      }
    })();
    expect(refusal).toBeInstanceOf(UserError);
    const message = (refusal as Error).message;
    expect(message).not.toContain("\n");
    expect(message).toMatch(/has no recipe: give --batch-size, --optimizer, --lr/);
  });

  it("gives every run an SGD recipe as well", () => {
    const plan = planFromSource(TOOLING, {
      model: MODEL,
      base: recipeOverrides({ optimizer: "sgd", batchSize: 32, lr: 0.05 }),
    });
    expect(new Set(plan.runs.map((run) => run.config.optimizer.name))).toEqual(new Set(["sgd"]));
    expect(new Set(plan.runs.map((run) => run.config.optimizer.lr))).toEqual(new Set([0.05]));
  });
});

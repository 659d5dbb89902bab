/**
 * `nnr train` can say whatever a plan can: every run-config field a plan may set has a flag
 * (or is derived from one), the demo's recipe given as flags resolves to the demo plan's own
 * config, and each new flag reaches its field.
 */
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { declareTrainOptions } from "../../src/cli/commands/train.js";
import { CONFIG_FLAGS, DERIVED_FIELDS, longName } from "../../src/cli/flags/config-flags.js";
import { type TrainFlags, trainRequest } from "../../src/cli/flags/train-request.js";
import { UserError } from "../../src/errors.js";
import { expandPlan } from "../../src/experiment/plan.js";
import { DEMO_RECIPE, DEMO_SIZES, presetSpec } from "../../src/experiment/presets.js";
import { type RunConfig, runConfigSchema } from "../../src/train/config.js";
import { resolveRunConfig } from "../../src/train/recipes.js";

interface Def {
  type: string;
  shape?: Record<string, { _zod: { def: Def } }>;
  innerType?: { _zod: { def: Def } };
}

/**
 * The config fields a plan names, by path: a field holding an object (optimizer, deterministic,
 * fixedSeeds, dataOptions) field by field, as a plan may give it in part; any other whole.
 */
function planFields(): string[] {
  const unwrap = (def: Def): Def => (def.innerType ? unwrap(def.innerType._zod.def) : def);
  const fields: string[] = [];
  for (const [name, schema] of Object.entries(runConfigSchema.shape)) {
    const def = unwrap((schema as unknown as { _zod: { def: Def } })._zod.def);
    if (def.type === "object" && def.shape) {
      fields.push(...Object.keys(def.shape).map((key) => `${name}.${key}`));
    } else fields.push(name);
  }
  return fields;
}

/** The flags object commander makes of a `nnr train` command line. */
function parseTrainFlags(args: string[]): TrainFlags {
  const command = declareTrainOptions(new Command("train").exitOverride());
  command.parse(args, { from: "user" });
  return command.opts() as TrainFlags;
}

const configOf = (args: string[]): RunConfig =>
  resolveRunConfig(trainRequest(parseTrainFlags(args)));

describe("the config flags' table", () => {
  it("has a flag for every config field a plan can set, or says what it is derived from", () => {
    const covered = new Set(CONFIG_FLAGS.flatMap((row) => row.fields));
    const missing = planFields().filter(
      (field) => !covered.has(field) && !(field in DERIVED_FIELDS),
    );
    expect(missing, `config fields without a train flag: ${missing.join(", ")}`).toEqual([]);
    expect(planFields()).toContain("optimizer.nesterov");
    expect(planFields()).toContain("deterministic.impl");
  });

  it("names only fields the config has, and each flag once", () => {
    const fields = new Set(planFields());
    for (const row of CONFIG_FLAGS) {
      for (const field of row.fields) expect(fields, `${row.flag}: ${field}`).toContain(field);
    }
    const names = CONFIG_FLAGS.map(longName);
    expect(new Set(names).size).toBe(names.length);
  });

  it("declares every row as an option of nnr train", () => {
    const command = declareTrainOptions(new Command("train"));
    const declared = command.options.map((option) => option.long);
    for (const row of CONFIG_FLAGS) expect(declared).toContain(longName(row));
  });
});

describe("the demo's recipe as flags", () => {
  it("resolves to the config of the demo plan's own run", () => {
    const size = DEMO_SIZES.fast;
    const plan = expandPlan(presetSpec("demo", "fast"), "demo");
    const entry = plan.runs.find((run) => run.config.setting === "algo+impl")!;
    const flags = [
      "--bn",
      ...["--bn-momentum", String(DEMO_RECIPE.batchNormMomentum)],
      ...["--lr", String(DEMO_RECIPE.optimizer.lr)],
      ...["--schedule", DEMO_RECIPE.schedule],
      ...["--memory-format", DEMO_RECIPE.memoryFormat],
      ...["--epochs", String(size.epochs)],
      ...["--train-examples", String(size.trainExamples)],
      ...["--save-epochs", String(size.epochs)],
    ];
    expect(configOf(flags)).toEqual(entry.config);
    // Without the new flags the run is not the demo's: what the issue found.
    expect(configOf(flags.slice(0, 1))).not.toEqual(entry.config);
  });
});

describe("each new flag reaches its field", () => {
  it("recipe and tooling fields", () => {
    const config = configOf([
      ...["--optimizer", "sgd", "--momentum", "0.9", "--nesterov", "--lr", "0.1"],
      ...["--label-smoothing", "0.1", "--kernel-l2", "0.0005", "--head", "sigmoid"],
      ...["--shuffle", "buffer:1000", "--drop-remainder", "--layout-strides", "kept"],
      ...["--transforms", '[{"op":"pad","pixels":2},{"op":"scale"}]', "--file-layout", "original"],
      ...["--schedule", "constant"],
    ]);
    expect(config.optimizer).toEqual({
      name: "sgd",
      lr: 0.1,
      momentum: 0.9,
      nesterov: true,
      weightDecay: 0,
    });
    expect(config).toMatchObject({
      labelSmoothing: 0.1,
      kernelL2: 0.0005,
      head: "sigmoid",
      shuffle: { kind: "buffer", size: 1000 },
      dropRemainder: true,
      layoutStrides: "kept",
      transforms: [{ op: "pad", pixels: 2 }, { op: "scale" }],
      layout: "original",
      schedule: "constant",
    });
    expect(configOf(["--transforms", "standardize", "--shuffle", "none"])).toMatchObject({
      transforms: [{ op: "standardize" }],
      shuffle: { kind: "none" },
    });
  });

  it("refuses bad values in one line naming the flag", () => {
    const cases: [string[], RegExp][] = [
      [["--bn-momentum", "1"], /^--bn-momentum 1: expected a number in \(0, 1\)$/],
      [["--label-smoothing", "1.5"], /^--label-smoothing 1.5: expected a number from 0 to 1$/],
      [["--schedule", "cosine"], /^--schedule cosine: expected one of constant, linear-decay/],
      [["--shuffle", "buffer:0"], /^--shuffle buffer:0: expected permutation, none, or buffer:N/],
      [["--transforms", "[{op:1}]"], /^--transforms \[\{op:1\}\]: expected scale, standardize/],
      [["--transforms", '[{"op":"blur"}]'], /^--transforms: step 0/],
    ];
    for (const [args, message] of cases) {
      expect(() => parseTrainFlags(args), args.join(" ")).toThrow(UserError);
      expect(() => parseTrainFlags(args)).toThrow(message);
    }
  });
});

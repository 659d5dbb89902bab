/** The noise-source table and what is derived from it: settings, seeds, flags, refusals, context. */
import { describe, expect, it } from "vitest";
import { SETTING_LABELS } from "../../src/analysis/compare/settings.js";
import { contextOfRecord } from "../../src/analysis/runs/run-context.js";
import { trainRequest } from "../../src/cli/flags/train-request.js";
import {
  drawsRandomSeeds,
  NOISE_SOURCES,
  ORIGINAL_SOURCE_FLAGS,
  originalSettingName,
  SEEDED_SOURCES,
  SETTING_NAMES,
  SETTINGS,
  seedFlagKey,
  settingOf,
  switchFlagKey,
} from "../../src/contract/noise-sources.js";
import { resolveRunConfig } from "../../src/train/recipes.js";
import { drawSeeds } from "../../src/train/seeds.js";

describe("the settings derived from the table", () => {
  it("are the study's four, with the switches the original's scripts set", () => {
    // The seed paper's table: which sources each setting fixes.
    expect(SETTINGS).toEqual({
      "algo+impl": { init: false, input: false, dropout: false, impl: false },
      algo: { init: false, input: false, dropout: false, impl: true },
      impl: { init: true, input: true, dropout: true, impl: false },
      control: { init: true, input: true, dropout: true, impl: true },
    });
    expect(SETTING_NAMES).toEqual(["algo+impl", "algo", "impl", "control"]);
    expect(Object.keys(SETTINGS.control)).toEqual(["init", "input", "dropout", "impl"]);
  });

  it("name a combination of switches, or call it custom", () => {
    for (const name of SETTING_NAMES) expect(settingOf({ ...SETTINGS[name] })).toBe(name);
    expect(settingOf({ init: true, input: false, dropout: false, impl: false })).toBe("custom");
    expect(originalSettingName("algo+impl")).toBe("default");
    expect(originalSettingName("impl")).toBe("impl");
    expect(originalSettingName("custom")).toBe("custom");
  });

  it("say which settings draw seeds at random", () => {
    expect(SETTING_NAMES.filter(drawsRandomSeeds)).toEqual(["algo+impl", "algo"]);
  });

  it("give the analysis its labels, and the tooling pool its own", () => {
    expect(SETTING_LABELS).toEqual({
      "algo+impl": "ALGO+IMPL",
      algo: "ALGO",
      impl: "IMPL",
      control: "Control",
      tooling: "Tooling",
    });
  });
});

describe("the sources' seeds and flags", () => {
  it("seed init, input and dropout; impl is a switch alone", () => {
    expect(SEEDED_SOURCES).toEqual(["init", "input", "dropout"]);
    expect(NOISE_SOURCES.find((row) => row.name === "impl")!.seed).toBeNull();
  });

  it("draw a seed only for a random source, and keep a fixed source's seed", () => {
    const config = resolveRunConfig({
      deterministic: { init: true, input: false, dropout: true, impl: true },
      fixedSeeds: { init: 7, input: 9 },
    });
    const seeds = drawSeeds(config);
    expect(Object.keys(seeds)).toEqual(["init", "input", "dropout"]);
    expect(seeds.init).toBe(7);
    expect(seeds.input).not.toBe(9);
  });

  it("name commander's properties and the original scripts' switches", () => {
    expect(NOISE_SOURCES.map((row) => switchFlagKey(row.name))).toEqual([
      "deterministicInit",
      "deterministicInput",
      "deterministicDropout",
      "deterministicImpl",
    ]);
    expect(SEEDED_SOURCES.map(seedFlagKey)).toEqual(["seedInit", "seedInput", "seedDropout"]);
    expect([...ORIGINAL_SOURCE_FLAGS].sort()).toEqual([
      "deterministic_algo",
      "deterministic_impl",
      "deterministic_init",
      "deterministic_input",
      "deterministic_tf",
    ]);
  });

  it("turn flags into switches: ours, the original's, and CelebA's algo flag fixing two", () => {
    expect(trainRequest({ deterministicInit: true }).deterministic).toEqual({
      init: true,
      input: false,
      dropout: false,
      impl: false,
    });
    expect(trainRequest({ deterministic_algo: true }).deterministic).toEqual({
      init: true,
      input: true,
      dropout: true,
      impl: false,
    });
    expect(trainRequest({ deterministic_tf: true, setting: "impl" }).deterministic).toEqual({
      init: true,
      input: true,
      dropout: true,
      impl: true,
    });
    // The request carries the seeds given; the run's config fills the others with 0.
    expect(trainRequest({ seedInput: 5 }).fixedSeeds).toEqual({ input: 5 });
    expect(resolveRunConfig(trainRequest({ seedInput: 5 })).fixedSeeds).toEqual({
      init: 0,
      input: 5,
      dropout: 0,
    });
  });
});

describe("the analysis's context block", () => {
  it("lists the fixed seeded sources with their seeds", () => {
    const context = (deterministic: Record<string, boolean>) =>
      contextOfRecord({ config: { deterministic, fixedSeeds: { init: 3, input: 4 } } }).fixedSeeds;
    expect(context({ init: true, input: true, impl: false })).toBe("init (seed 3), input (seed 4)");
    expect(context({ init: false, input: true, impl: true })).toBe("input (seed 4)");
    expect(context({ init: false, input: false, impl: true })).toBe("none (fresh seeds per run)");
  });
});

import { randomInt } from "node:crypto";
import { perSeededSource, type SourceSeeds } from "../contract/noise-sources.js";
import { Generator, randint } from "../engine/index.js";
import type { RunConfig } from "./config.js";

/** A run's seed of each seeded noise source (contract/noise-sources.ts). */
export type RunSeeds = SourceSeeds;

/**
 * Seeds for a run: a deterministic source uses its fixed seed; a random one draws a fresh seed
 * from the OS. Either way the seed is recorded, so any run can be replayed.
 */
export function drawSeeds(config: RunConfig): RunSeeds {
  const fresh = () => randomInt(0, 2 ** 47);
  return perSeededSource((source) =>
    config.deterministic[source] ? config.fixedSeeds[source] : fresh(),
  );
}

/**
 * The dropout source's generator, seeded by the run's dropout seed. A run recorded before
 * dropout was a source of its own has no such seed: an imported model's masks were then
 * seeded by the first draw of the init generator, and a replay or resume of it keeps that
 * derivation, so it ends as recorded; a zoo model then drew no masks (null).
 */
export function dropoutGenerator(
  seeds: RunSeeds,
  init: Generator,
  imported: boolean,
): Generator | null {
  const seed = (seeds as Partial<RunSeeds>).dropout;
  if (seed !== undefined) return new Generator(seed, "dropout");
  if (!imported) return null;
  const draw = randint(0, 2 ** 31 - 1, [1], init, { dtype: "int64" });
  const legacySeed = draw.item();
  draw.dispose();
  return new Generator(legacySeed, "dropout");
}

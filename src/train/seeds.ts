import { randomInt } from "node:crypto";
import { perSeededSource, type SourceSeeds } from "../contract/noise-sources.js";
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

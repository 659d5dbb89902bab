import { randomInt } from "node:crypto";
import type { RunConfig } from "./config.js";

export interface RunSeeds {
  init: number;
  input: number;
}

/**
 * Seeds for a run: a deterministic source uses its fixed seed; a random one draws a fresh seed
 * from the OS. Either way the seed is recorded, so any run can be replayed.
 */
export function drawSeeds(config: RunConfig): RunSeeds {
  const fresh = () => randomInt(0, 2 ** 47);
  return {
    init: config.deterministic.init ? config.fixedSeeds.init : fresh(),
    input: config.deterministic.input ? config.fixedSeeds.input : fresh(),
  };
}

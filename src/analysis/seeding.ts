import { createRng, type Rng } from "./prng.js";

/**
 * A generator for one named part of the analysis (a group, a comparison), derived from
 * the analysis seed and the part's name: a group's intervals stay the same when other
 * groups are added to the experiment folder.
 */
export function rngFor(seed: number, name: string): Rng {
  // FNV-1a over the UTF-16 code units of the name, mixed with the seed.
  let hash = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return createRng(hash >>> 0);
}

/**
 * A small seeded generator (xoshiro128**, seeded through splitmix32) so that every
 * bootstrap is reproducible from the seed written into results.json. It is passed
 * explicitly to whatever draws; nothing here reads Math.random.
 */
export interface Rng {
  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number;
  /** A uniform float in [0, 1) with 32 bits of resolution. */
  nextFloat(): number;
  /** A uniform integer in [0, n). */
  nextInt(n: number): number;
}

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

const rotl = (x: number, k: number) => ((x << k) | (x >>> (32 - k))) >>> 0;

export function createRng(seed: number): Rng {
  if (!Number.isInteger(seed)) throw new Error(`createRng: seed must be an integer, got ${seed}`);
  const next = splitmix32(seed);
  const s = [next(), next(), next(), next()] as [number, number, number, number];
  // The all-zero state is the one state xoshiro cannot leave.
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1] << 9) >>> 0;
    s[2] = (s[2] ^ s[0]) >>> 0;
    s[3] = (s[3] ^ s[1]) >>> 0;
    s[1] = (s[1] ^ s[2]) >>> 0;
    s[0] = (s[0] ^ s[3]) >>> 0;
    s[2] = (s[2] ^ t) >>> 0;
    s[3] = rotl(s[3], 11);
    return result;
  };
  const nextFloat = () => nextUint32() / 2 ** 32;
  return {
    nextUint32,
    nextFloat,
    // For the n of a bootstrap (tens of runs) the bias of flooring is ~n / 2^32: negligible.
    nextInt: (n: number) => Math.floor(nextFloat() * n),
  };
}

/**
 * nnr's one JavaScript-side random stream: the input pipeline's shuffles and augmentation
 * draws, and the analysis's bootstraps and permutations. (Weights are drawn by libtorch's
 * generator (src/engine/generator.ts), never by this.)
 *
 * xoshiro128** (Blackman & Vigna): 128 bits of state, fast in 32-bit JS integer arithmetic,
 * and its state is four numbers, so it serializes to JSON for resume. Seeds are expanded
 * with splitmix64, as the xoshiro authors recommend; a stream is named, and its name is hashed
 * into its seed. Every draw goes through a named stream; nothing here touches Math.random.
 */

const MASK64 = (1n << 64n) - 1n;
const GOLDEN_GAMMA = 0x9e3779b97f4a7c15n;

/** The splitmix64 output function: a bijective 64-bit mixer. */
function mix64(value: bigint): bigint {
  let z = value & MASK64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/** 64-bit FNV-1a over the UTF-8 bytes of a name. */
function hashName(name: string): bigint {
  let hash = 0xcbf29ce484222325n;
  for (const byte of new TextEncoder().encode(name)) {
    hash = ((hash ^ BigInt(byte)) * 0x100000001b3n) & MASK64;
  }
  return hash;
}

function checkSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`seed must be a non-negative safe integer, got ${seed}`);
  }
}

/**
 * The 64-bit seed of the stream called `name` under a run's seed. Hashing the name in
 * keeps streams of one run independent of each other (shuffle draws never shift the
 * augmentation draws), and the same (seed, name) always gives the same stream.
 */
export function deriveSeed(seed: number, name: string): bigint {
  checkSeed(seed);
  return mix64(mix64(BigInt(seed) + GOLDEN_GAMMA) ^ hashName(name));
}

/** A stream's whole state: four unsigned 32-bit words, JSON-safe. */
export type RandomStreamState = [number, number, number, number];

export class RandomStream {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;

  private constructor(state: RandomStreamState) {
    this.setState(state);
  }

  /** A stream whose state is filled from `seed64` by splitmix64. */
  static fromSeed64(seed64: bigint): RandomStream {
    let x = seed64 & MASK64;
    const words: number[] = [];
    for (let i = 0; i < 2; i++) {
      x = (x + GOLDEN_GAMMA) & MASK64;
      const z = mix64(x);
      words.push(Number(z & 0xffffffffn), Number(z >> 32n));
    }
    return new RandomStream(words as RandomStreamState);
  }

  /** The stream `name` of a run whose seed is `seed` (see deriveSeed). */
  static named(seed: number, name: string): RandomStream {
    return RandomStream.fromSeed64(deriveSeed(seed, name));
  }

  static fromState(state: RandomStreamState): RandomStream {
    return new RandomStream(state);
  }

  getState(): RandomStreamState {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  setState(state: readonly number[]): void {
    if (state.length !== 4 || !state.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32)) {
      throw new RangeError(`stream state must be four unsigned 32-bit integers`);
    }
    if (state.every((w) => w === 0)) {
      throw new RangeError("stream state must not be all zero (xoshiro would emit only zeros)");
    }
    [this.s0, this.s1, this.s2, this.s3] = state as RandomStreamState;
  }

  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    this.s3 >>>= 0;
    return result;
  }

  /** A double uniform on [0, 1) with 53 random bits (two draws). */
  nextFloat(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /**
   * An integer uniform on [0, n), 1 ≤ n ≤ 2^32. Draws that fall in the last, incomplete
   * copy of [0, n) inside [0, 2^32) are rejected, so there is no modulo bias.
   */
  nextInt(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) {
      throw new RangeError(`nextInt needs an integer n in [1, 2^32], got ${n}`);
    }
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const draw = this.nextUint32();
      if (draw < limit) return draw % n;
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Fisher–Yates shuffle of `values` in place, drawing from `rng`. */
export function shuffleInPlace(values: Int32Array, rng: RandomStream): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1);
    const held = values[i]!;
    values[i] = values[j]!;
    values[j] = held;
  }
}

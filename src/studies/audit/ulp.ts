/**
 * Bit-level comparison of float32 results. The ULP distance counts the representable float32
 * values between two numbers: their bit patterns mapped onto a line ordered like the reals
 * (negative numbers mirrored), so 1 and the next float up are 1 apart, +0 and −0 are 0 apart,
 * and the distance runs across zero.
 */

const bits = new Uint32Array(1);
const floats = new Float32Array(bits.buffer);

/** The float32 value's position on the ordered line: ±0 → 0, next float above 0 → 1, … */
export function orderedFloat32(value: number): number {
  floats[0] = value;
  const pattern = bits[0]!;
  const magnitude = pattern & 0x7fffffff;
  // 0 - magnitude, not -magnitude: −0 must map to +0.
  return pattern >>> 31 === 1 ? 0 - magnitude : magnitude;
}

/**
 * ULPs between two numbers, each rounded to float32 first. Infinities sit one step beyond the
 * largest finite float (as in numpy's nulp_diff); NaN against anything but the same NaN bits
 * is Infinity.
 */
export function ulpDistance(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) {
    return Number.isNaN(a) && Number.isNaN(b) && sameBits(a, b) ? 0 : Number.POSITIVE_INFINITY;
  }
  return Math.abs(orderedFloat32(a) - orderedFloat32(b));
}

function sameBits(a: number, b: number): boolean {
  floats[0] = a;
  const first = bits[0];
  floats[0] = b;
  return first === bits[0];
}

export interface BitComparison {
  /** Every element has the same bit pattern (so +0 vs −0 counts as different). */
  identical: boolean;
  /** Elements whose bits differ. */
  differing: number;
  maxAbsDiff: number;
  maxUlpDiff: number;
}

export const IDENTICAL: BitComparison = {
  identical: true,
  differing: 0,
  maxAbsDiff: 0,
  maxUlpDiff: 0,
};

/** Compares two float32 arrays element by element; their lengths must match. */
export function compareFloat32(a: Float32Array, b: Float32Array): BitComparison {
  if (a.length !== b.length) {
    throw new Error(`compareFloat32: lengths differ (${a.length} vs ${b.length})`);
  }
  const aBits = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const bBits = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let differing = 0;
  let maxAbsDiff = 0;
  let maxUlpDiff = 0;
  for (let i = 0; i < a.length; i++) {
    if (aBits[i] === bBits[i]) continue;
    differing++;
    const abs = Math.abs(a[i]! - b[i]!);
    maxAbsDiff = Number.isNaN(abs) ? Number.POSITIVE_INFINITY : Math.max(maxAbsDiff, abs);
    maxUlpDiff = Math.max(maxUlpDiff, ulpDistance(a[i]!, b[i]!));
  }
  return { identical: differing === 0, differing, maxAbsDiff, maxUlpDiff };
}

/** The worse of two comparisons, element counts added. */
export function combine(x: BitComparison, y: BitComparison): BitComparison {
  return {
    identical: x.identical && y.identical,
    differing: x.differing + y.differing,
    maxAbsDiff: Math.max(x.maxAbsDiff, y.maxAbsDiff),
    maxUlpDiff: Math.max(x.maxUlpDiff, y.maxUlpDiff),
  };
}

/** ULP distance and bit comparison of float32 arrays, against hand-worked float32 cases. */
import { describe, expect, it } from "vitest";
import { compareFloat32, orderedFloat32, ulpDistance } from "../../src/studies/audit/index.js";

const MIN_SUBNORMAL = 2 ** -149;
const MAX_FLOAT = (2 - 2 ** -23) * 2 ** 127;

describe("ulpDistance", () => {
  it("places bit patterns on an ordered line", () => {
    expect(orderedFloat32(1)).toBe(0x3f800000);
    expect(orderedFloat32(-1)).toBe(-0x3f800000);
    expect(orderedFloat32(0)).toBe(0);
    expect(orderedFloat32(-0)).toBe(0);
    expect(orderedFloat32(MIN_SUBNORMAL)).toBe(1);
  });

  it("counts neighbouring floats as 1 apart, on both sides of a power of two", () => {
    expect(ulpDistance(1, 1)).toBe(0);
    expect(ulpDistance(1, 1 + 2 ** -23)).toBe(1); // spacing above 1 is 2^-23
    expect(ulpDistance(1, 1 - 2 ** -24)).toBe(1); // spacing below 1 is 2^-24
    expect(ulpDistance(1 - 2 ** -24, 1 + 2 ** -23)).toBe(2);
    expect(ulpDistance(1 + 2 ** -23, 1)).toBe(1);
  });

  it("counts every float of a binade", () => {
    expect(ulpDistance(1, 2)).toBe(2 ** 23);
    expect(ulpDistance(1, 1.5)).toBe(2 ** 22);
    expect(ulpDistance(-1, -2)).toBe(2 ** 23);
  });

  it("runs across zero: ±0 are 0 apart, the smallest subnormals 1 from zero", () => {
    expect(ulpDistance(0, -0)).toBe(0);
    expect(ulpDistance(0, MIN_SUBNORMAL)).toBe(1);
    expect(ulpDistance(-MIN_SUBNORMAL, MIN_SUBNORMAL)).toBe(2);
    expect(ulpDistance(-1, 1)).toBe(2 * 0x3f800000);
  });

  it("rounds its arguments to float32 first", () => {
    // 0.1 as a double lies between two float32s; both sides round to the same float.
    expect(ulpDistance(0.1, Math.fround(0.1))).toBe(0);
    expect(ulpDistance(Math.fround(0.1), 0.1 + 2 ** -27)).toBe(1); // spacing at 0.1 is 2^-27
  });

  it("puts infinity one step past the largest float, and NaN at infinity", () => {
    expect(ulpDistance(MAX_FLOAT, Number.POSITIVE_INFINITY)).toBe(1);
    expect(ulpDistance(Number.NaN, 1)).toBe(Number.POSITIVE_INFINITY);
    expect(ulpDistance(Number.NaN, Number.NaN)).toBe(0);
  });
});

describe("compareFloat32", () => {
  it("finds identical arrays identical", () => {
    const a = Float32Array.from([1, -2.5, 3e-8]);
    expect(compareFloat32(a, Float32Array.from(a))).toEqual({
      identical: true,
      differing: 0,
      maxAbsDiff: 0,
      maxUlpDiff: 0,
    });
  });

  it("reports the worst element's absolute and ULP difference", () => {
    const a = Float32Array.from([1, 2, 4, 8]);
    const b = Float32Array.from([1, 2 + 2 ** -22, 4, 8 - 3 * 2 ** -21]);
    // 2 + 2^-22 is 1 ULP above 2; 8 - 3·2^-21 is 3 ULPs below 8 (spacing 2^-21 in [4, 8)).
    expect(compareFloat32(a, b)).toEqual({
      identical: false,
      differing: 2,
      maxAbsDiff: 3 * 2 ** -21,
      maxUlpDiff: 3,
    });
  });

  it("tells +0 from −0 by bits, at zero distance", () => {
    const result = compareFloat32(Float32Array.from([0]), Float32Array.from([-0]));
    expect(result).toEqual({ identical: false, differing: 1, maxAbsDiff: 0, maxUlpDiff: 0 });
  });

  it("refuses arrays of different lengths", () => {
    expect(() => compareFloat32(new Float32Array(2), new Float32Array(3))).toThrow(/lengths/);
  });
});

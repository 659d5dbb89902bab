import { describe, expect, it } from "vitest";
import { scaleBytesToUnit } from "../../src/data/unit-scale.js";

/** byte / 255 rounded to float32, computed here without the module's table. */
const expected = (bytes: Uint8Array) => Float32Array.from(bytes, (byte) => Math.fround(byte / 255));

const bits = (values: Float32Array) =>
  Buffer.from(values.buffer, values.byteOffset, values.byteLength);

describe("bytes to floats in [0, 1]", () => {
  it("gives byte / 255 for every byte value, bit for bit", () => {
    const pixels = Uint8Array.from({ length: 512 }, (_, i) => (i * 37 + 11) & 0xff);
    expect(new Set(pixels).size).toBe(256);
    const out = new Float32Array(pixels.length);
    scaleBytesToUnit(pixels, out);
    expect(bits(out).equals(bits(expected(pixels)))).toBe(true);
  });

  it("works on views at any offset and writes only the view", () => {
    const backing = Uint8Array.from({ length: 16 }, (_, i) => (i * 37 + 11) & 0xff);
    const pixels = backing.subarray(1, 8);
    const whole = new Float32Array(10).fill(-1);
    const out = whole.subarray(1, 8);
    scaleBytesToUnit(pixels, out);
    expect(bits(out).equals(bits(expected(pixels)))).toBe(true);
    expect([whole[0], whole[8], whole[9]]).toEqual([-1, -1, -1]);
  });
});

import { describe, expect, it } from "vitest";
import { scaleBytesToUnit } from "../../src/data/unit-scale.js";

/** byte / 255 rounded to float32, computed here without the module's tables. */
const expected = (bytes: Uint8Array) => Float32Array.from(bytes, (byte) => Math.fround(byte / 255));

const bits = (values: Float32Array) =>
  Buffer.from(values.buffer, values.byteOffset, values.byteLength);

describe("bytes to floats in [0, 1]", () => {
  it("gives byte / 255 for every pair of bytes, two at a time", () => {
    const pixels = new Uint8Array(65536 * 2);
    for (let pair = 0; pair < 65536; pair++) {
      pixels[2 * pair] = pair & 0xff;
      pixels[2 * pair + 1] = pair >> 8;
    }
    const out = new Float32Array(pixels.length);
    scaleBytesToUnit(pixels, out);
    expect(bits(out).equals(bits(expected(pixels)))).toBe(true);
  });

  it.each([
    ["an odd length", 0, 7, 0],
    ["an odd byte offset", 1, 8, 0],
    ["an output not on 8 bytes", 0, 8, 1],
    ["an aligned view", 2, 8, 2],
  ])("gives the same with %s", (_, pixelOffset, length, outOffset) => {
    const backing = Uint8Array.from({ length: 16 }, (_, i) => (i * 37 + 11) & 0xff);
    const pixels = backing.subarray(pixelOffset, pixelOffset + length);
    const out = new Float32Array(length + 2).subarray(outOffset, outOffset + length);
    scaleBytesToUnit(pixels, out);
    expect(bits(out).equals(bits(expected(pixels)))).toBe(true);
  });
});

/**
 * Bytes to floats in [0, 1] (byte / 255, as `scaleToUnit` computes it): a leading `scale`
 * step folded into the byte-to-float conversion, the inner loop of batch assembly. Two bytes go at once where the arrays
 * allow it: one 16-bit load, one 8-byte store of the two floats, ~1.5× the speed of a byte
 * at a time, with the same bits (the tests compare both ways).
 */
import { endianness } from "node:os";

/** byte / 255 for every byte value, as float32. */
const UNIT_SCALE = Float32Array.from({ length: 256 }, (_, byte) => byte / 255);

let pairTable: Float64Array | undefined;

/**
 * Entry `b0 + 256·b1` holds UNIT_SCALE[b0] then UNIT_SCALE[b1] as the 8 bytes of one float64.
 * Copying such a float64 keeps every bit: both floats lie in [0, 1], so its exponent is never
 * all ones and it is never a NaN that an engine might canonicalise. 512 KiB, made on first use.
 */
function unitScalePairs(): Float64Array {
  if (pairTable === undefined) {
    const floats = new Float32Array(65536 * 2);
    for (let pair = 0; pair < 65536; pair++) {
      floats[2 * pair] = UNIT_SCALE[pair & 0xff]!;
      floats[2 * pair + 1] = UNIT_SCALE[pair >> 8]!;
    }
    pairTable = new Float64Array(floats.buffer);
  }
  return pairTable;
}

const LITTLE_ENDIAN = endianness() === "LE";

/** out[i] = pixels[i] / 255 as float32, for every byte of `pixels`. */
export function scaleBytesToUnit(pixels: Uint8Array, out: Float32Array): void {
  const n = pixels.length;
  if (LITTLE_ENDIAN && n % 2 === 0 && pixels.byteOffset % 2 === 0 && out.byteOffset % 8 === 0) {
    const table = unitScalePairs();
    const pairs = new Uint16Array(pixels.buffer, pixels.byteOffset, n / 2);
    const target = new Float64Array(out.buffer, out.byteOffset, n / 2);
    for (let i = 0; i < pairs.length; i++) target[i] = table[pairs[i]!]!;
    return;
  }
  for (let i = 0; i < n; i++) out[i] = UNIT_SCALE[pixels[i]!]!;
}

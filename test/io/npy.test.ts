import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseNpy, readNpy, serializeNpy, writeNpy } from "../../src/io/npy.js";

describe("npy", () => {
  it("writes the same bytes as numpy.save for a float32 2x3 array", () => {
    // numpy 1.x/2.x: np.save(f, np.arange(6, dtype='<f4').reshape(2, 3)) writes a
    // 128-byte file: 10-byte preamble, a 118-byte header ending in "\n", then 24 bytes.
    const out = serializeNpy(new Float32Array([0, 1, 2, 3, 4, 5]), [2, 3]);
    const header = Buffer.from(out.subarray(10, 128)).toString("latin1");
    expect([...out.subarray(0, 10)]).toEqual([0x93, 78, 85, 77, 80, 89, 1, 0, 118, 0]);
    expect(header).toBe(
      `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }${" ".repeat(58)}\n`,
    );
    expect(out.length).toBe(128 + 24);
    expect([...new Float32Array(out.slice(128).buffer)]).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("round-trips each supported dtype, including 1-d and 0-d shapes", () => {
    const dir = mkdtempSync(join(tmpdir(), "nnr-npy-"));
    const arrays = [
      { data: new Float64Array([1.25, -3]), shape: [2], dtype: "<f8" },
      { data: new Int32Array([7, -8, 9, 10]), shape: [2, 2], dtype: "<i4" },
      { data: new BigInt64Array([-1n]), shape: [], dtype: "<i8" },
      { data: new Uint8Array([0, 1, 255]), shape: [3, 1], dtype: "|u1" },
    ] as const;
    for (const [i, array] of arrays.entries()) {
      const path = join(dir, `a${i}.npy`);
      writeNpy(path, array.data, array.shape);
      const read = readNpy(path);
      expect(read.dtype).toBe(array.dtype);
      expect(read.shape).toEqual(array.shape);
      expect(read.data).toEqual(array.data);
    }
    expect(readdirSync(dir).filter((name) => name.endsWith(".tmp"))).toEqual([]);
  });

  it("reports a truncated file by name", () => {
    const out = serializeNpy(new Float32Array(10), [10]);
    expect(() => parseNpy(out.subarray(0, out.length - 3), "probs10.npy")).toThrow(
      /^probs10\.npy: not a valid \.npy file: data has 37 bytes, shape needs 40/,
    );
    expect(() => parseNpy(new Uint8Array(12), "x.npy")).toThrow(/bad magic bytes/);
  });
});

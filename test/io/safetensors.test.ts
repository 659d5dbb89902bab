import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileFormatError } from "../../src/io/errors.js";
import {
  parseSafetensors,
  readSafetensors,
  serializeSafetensors,
  writeSafetensors,
} from "../../src/io/safetensors.js";

const latin1 = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");

describe("safetensors", () => {
  it("serializes byte for byte like the reference implementation", () => {
    // The Hugging Face Python binding's test_serialization: a 2x2 int32 zero tensor
    // gives a 64-byte header (60 bytes of JSON padded with four spaces).
    const out = serializeSafetensors({
      test: { dtype: "I32", shape: [2, 2], data: new Int32Array(4) },
    });
    const expected =
      '@\x00\x00\x00\x00\x00\x00\x00{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}    ' +
      "\x00".repeat(16);
    expect(latin1(out)).toBe(expected);
  });

  it("sorts tensors by name, puts metadata first and aligns the data to 8 bytes", () => {
    const out = serializeSafetensors(
      {
        "layer.weight": { dtype: "F32", shape: [2], data: new Float32Array([1.5, -2]) },
        "a.bias": { dtype: "F64", shape: [1], data: new Float64Array([3.25]) },
      },
      { format: "pt" },
    );
    const headerLength = Number(new DataView(out.buffer).getBigUint64(0, true));
    expect(headerLength % 8).toBe(0);
    const header = latin1(out.subarray(8, 8 + headerLength));
    expect(header.trimEnd()).toBe(
      '{"__metadata__":{"format":"pt"},' +
        '"a.bias":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},' +
        '"layer.weight":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}',
    );
  });

  it("round-trips every writable dtype through a file", () => {
    const dir = mkdtempSync(join(tmpdir(), "nnr-st-"));
    const path = join(dir, "w.safetensors");
    writeSafetensors(
      path,
      new Map([
        ["f32", { dtype: "F32", shape: [2, 2], data: new Float32Array([1, 2, 3, 4]) }],
        ["f64", { dtype: "F64", shape: [1], data: new Float64Array([Math.PI]) }],
        ["i64", { dtype: "I64", shape: [2], data: new BigInt64Array([-5n, 2n ** 40n]) }],
        ["i32", { dtype: "I32", shape: [3], data: new Int32Array([-1, 0, 7]) }],
        ["u8", { dtype: "U8", shape: [2], data: new Uint8Array([0, 255]) }],
        ["mask", { dtype: "BOOL", shape: [0], data: new Uint8Array([]) }],
      ]),
      { step: "3" },
    );
    const file = readSafetensors(path);
    expect(file.metadata).toEqual({ step: "3" });
    expect([...file.tensors.keys()].sort()).toEqual(["f32", "f64", "i32", "i64", "mask", "u8"]);
    expect(file.tensors.get("f32")).toEqual({
      dtype: "F32",
      shape: [2, 2],
      data: new Float32Array([1, 2, 3, 4]),
    });
    expect(file.tensors.get("f64")?.data[0]).toBe(Math.PI);
    expect([...(file.tensors.get("i64")!.data as BigInt64Array)]).toEqual([-5n, 2n ** 40n]);
    expect([...(file.tensors.get("i32")?.data ?? [])]).toEqual([-1, 0, 7]);
    expect([...(file.tensors.get("u8")?.data ?? [])]).toEqual([0, 255]);
    expect(file.tensors.get("mask")?.shape).toEqual([0]);
  });

  it("reads F16 tensors as float32", () => {
    // 1.0 = 0x3c00, -2.0 = 0xc000, 0.5 = 0x3800, 65504 = 0x7bff
    const header = '{"h":{"dtype":"F16","shape":[4],"data_offsets":[0,8]}}';
    const padded = header + " ".repeat((8 - (header.length % 8)) % 8);
    const bytes = new Uint8Array(8 + padded.length + 8);
    new DataView(bytes.buffer).setBigUint64(0, BigInt(padded.length), true);
    bytes.set(Buffer.from(padded, "latin1"), 8);
    const halves = new Uint16Array([0x3c00, 0xc000, 0x3800, 0x7bff]);
    bytes.set(new Uint8Array(halves.buffer), 8 + padded.length);
    const tensor = parseSafetensors(bytes, "h.safetensors").tensors.get("h");
    expect(tensor?.dtype).toBe("F16");
    expect([...(tensor?.data ?? [])]).toEqual([1, -2, 0.5, 65504]);
  });

  it("rejects damaged files with one-line messages naming the file", () => {
    const good = serializeSafetensors({
      w: { dtype: "F32", shape: [4], data: new Float32Array(4) },
    });
    const cases: [Uint8Array, RegExp][] = [
      [good.subarray(0, 5), /shorter than the 8-byte header length/],
      [good.subarray(0, good.length - 4), /ends past the end of the file/],
      [new Uint8Array([...good, 0, 0]), /2 bytes after the last tensor/],
      [good.subarray(0, 20), /runs past the end of the file/],
    ];
    for (const [bytes, message] of cases) {
      let caught: unknown;
      try {
        parseSafetensors(bytes, "/runs/r0/ckpt10.safetensors");
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(FileFormatError);
      const text = (caught as Error).message;
      expect(text).toMatch(message);
      expect(text.startsWith("/runs/r0/ckpt10.safetensors: ")).toBe(true);
      expect(text).not.toContain("\n");
    }
  });

  it("rejects unknown dtypes, bad shapes and overlapping tensors", () => {
    const build = (header: string, dataBytes: number) => {
      const bytes = new Uint8Array(8 + header.length + dataBytes);
      new DataView(bytes.buffer).setBigUint64(0, BigInt(header.length), true);
      bytes.set(Buffer.from(header, "latin1"), 8);
      return bytes;
    };
    expect(() =>
      parseSafetensors(build('{"a":{"dtype":"Q7","shape":[1],"data_offsets":[0,1]}}', 1), "f"),
    ).toThrow(/unsupported dtype "Q7"/);
    expect(() =>
      parseSafetensors(build('{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,4]}}', 4), "f"),
    ).toThrow(/spans 4 bytes, its shape needs 12/);
    expect(() =>
      parseSafetensors(
        build(
          '{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}',
          3,
        ),
        "f",
      ),
    ).toThrow(/overlaps or leaves a gap/);
    expect(() => parseSafetensors(build("not json", 0), "f")).toThrow(/header is not JSON/);
  });

  it("writes atomically: no temporary files are left behind", () => {
    const dir = mkdtempSync(join(tmpdir(), "nnr-st-"));
    const path = join(dir, "w.safetensors");
    writeFileSync(path, "old");
    writeSafetensors(path, { x: { dtype: "U8", shape: [1], data: new Uint8Array([9]) } });
    expect(readFileSync(path).length).toBeGreaterThan(8);
    expect(readSafetensors(path).tensors.get("x")?.data[0]).toBe(9);
  });
});

import { readFileSync } from "node:fs";
import { writeFileAtomicSync } from "./atomic.js";
import { FileFormatError, printable } from "./errors.js";

/** NumPy dtype descriptors we handle, all little-endian (`|u1` has no byte order). */
export type NpyDtype = "<f4" | "<f8" | "<i4" | "<i8" | "|u1";
export type NpyData = Float32Array | Float64Array | Int32Array | BigInt64Array | Uint8Array;

export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  data: NpyData;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"
const BYTES: Record<NpyDtype, number> = { "<f4": 4, "<f8": 8, "<i4": 4, "<i8": 8, "|u1": 1 };

function dtypeOf(data: NpyData): NpyDtype {
  if (data instanceof Float32Array) return "<f4";
  if (data instanceof Float64Array) return "<f8";
  if (data instanceof Int32Array) return "<i4";
  if (data instanceof BigInt64Array) return "<i8";
  return "|u1";
}

/** Serializes an array as .npy format version 1.0, C order. */
export function serializeNpy(data: NpyData, shape: readonly number[]): Uint8Array {
  const count = shape.reduce((product, dim) => product * dim, 1);
  if (count !== data.length) {
    throw new Error(
      `npy: shape ${JSON.stringify(shape)} needs ${count} values, got ${data.length}`,
    );
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  const dict = `{'descr': '${dtypeOf(data)}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // NumPy pads with spaces and ends with a newline so the data starts 64-byte aligned.
  const unpadded = MAGIC.length + 2 + 2 + dict.length + 1;
  const padding = (64 - (unpadded % 64)) % 64;
  const header = `${dict}${" ".repeat(padding)}\n`;
  const out = new Uint8Array(MAGIC.length + 4 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1; // major version
  out[7] = 0; // minor version
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}

export function writeNpy(path: string, data: NpyData, shape: readonly number[]): void {
  writeFileAtomicSync(path, serializeNpy(data, shape));
}

/** What a .npy header says: the dtype as written, the shape, and where the data starts. */
export interface NpyHeader {
  /** The descriptor as the file spells it, e.g. `<f4`, `|u1`, `<i8`. */
  descr: string;
  shape: number[];
  /** Byte offset of the first element. */
  dataStart: number;
  /** Elements the shape holds. */
  count: number;
}

/** Bytes per element of the descriptors numpy writes for plain numbers (`<f4` → 4). */
export function descrBytes(descr: string): number | undefined {
  const match = /^[<>|=]([fiub])(\d+)$/.exec(descr);
  if (match === null) return undefined;
  const bytes = Number(match[2]);
  return [1, 2, 4, 8].includes(bytes) ? bytes : undefined;
}

/**
 * Reads a .npy header (versions 1.0–3.0) and checks it against the buffer's length, without
 * touching the data; `path` names the file in errors.
 */
export function parseNpyHeader(buffer: Uint8Array, path: string): NpyHeader {
  const fail = (problem: string): never => {
    throw new FileFormatError(path, `not a valid .npy file: ${problem}`);
  };
  if (buffer.length < 10 || MAGIC.some((byte, i) => buffer[i] !== byte)) fail("bad magic bytes");
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const major = buffer[6];
  if (major !== 1 && major !== 2 && major !== 3) fail(`unknown format version ${major}`);
  if (major !== 1 && buffer.length < 12) fail("header runs past the end (truncated?)");
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  if (headerStart + headerLength > buffer.length) fail("header runs past the end (truncated?)");
  const header = new TextDecoder().decode(buffer.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    fail(`unreadable header ${JSON.stringify(header.trim().slice(0, 120))}`);
  }
  if (fortran === "True") fail("Fortran-order arrays are not supported (save a C-order copy)");
  const parts = (shapeText as string)
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
  if (parts.some((part) => !/^\d{1,15}$/.test(part)))
    fail(`bad shape (${printable(shapeText as string)})`);
  const shape = parts.map(Number);
  const count = shape.reduce((product, dim) => product * dim, 1);
  const dataStart = headerStart + headerLength;
  const bytes = descrBytes(descr as string);
  if (bytes !== undefined && buffer.length - dataStart !== count * bytes) {
    fail(`data has ${buffer.length - dataStart} bytes, shape needs ${count * bytes} (truncated?)`);
  }
  return { descr: descr as string, shape, dataStart, count };
}

/** Parses a .npy buffer (versions 1.0–3.0 headers); `path` names the file in errors. */
export function parseNpy(buffer: Uint8Array, path: string): NpyArray {
  const { descr, shape, dataStart } = parseNpyHeader(buffer, path);
  const dtype = (descr === "<u1" ? "|u1" : descr) as NpyDtype;
  if (!Object.hasOwn(BYTES, dtype)) {
    throw new FileFormatError(path, `not a valid .npy file: unsupported dtype ${printable(descr)}`);
  }
  // A copy, aligned and detached from Node's buffer pool (Buffer#slice would share it).
  const copy = new Uint8Array(buffer.subarray(dataStart)).buffer;
  const data: NpyData =
    dtype === "<f4"
      ? new Float32Array(copy)
      : dtype === "<f8"
        ? new Float64Array(copy)
        : dtype === "<i4"
          ? new Int32Array(copy)
          : dtype === "<i8"
            ? new BigInt64Array(copy)
            : new Uint8Array(copy);
  return { dtype, shape, data };
}

export function readNpy(path: string): NpyArray {
  return parseNpy(readFileSync(path), path);
}

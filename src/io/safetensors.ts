import { readFileSync } from "node:fs";
import { writeFileAtomicSync } from "./atomic.js";
import { FileFormatError } from "./errors.js";

/** The dtypes we read and write; F16 is read only, and comes back widened to float32. */
export type SafetensorsDtype = "F64" | "F32" | "F16" | "I64" | "I32" | "U8" | "BOOL";
export type WritableDtype = Exclude<SafetensorsDtype, "F16">;

export type TensorData = Float64Array | Float32Array | BigInt64Array | Int32Array | Uint8Array;

export interface NamedTensor {
  /** The dtype stored in the file (F16 data is returned as a Float32Array). */
  dtype: SafetensorsDtype;
  shape: number[];
  data: TensorData;
}

export interface SafetensorsFile {
  tensors: Map<string, NamedTensor>;
  metadata: Record<string, string>;
}

const BYTES_PER_ELEMENT: Record<SafetensorsDtype, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  I64: 8,
  I32: 4,
  U8: 1,
  BOOL: 1,
};

/** Refuse absurd headers before allocating: the reference implementation caps at 100 MB. */
const MAX_HEADER_BYTES = 100_000_000;

function isDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === "string" && Object.hasOwn(BYTES_PER_ELEMENT, value);
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, dim) => product * dim, 1);
}

/** IEEE half to float; used only when reading F16 files written elsewhere. */
function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

/** Copies the bytes out so the typed array is aligned and independent of the file buffer. */
function decode(dtype: SafetensorsDtype, bytes: Uint8Array): TensorData {
  // `new Uint8Array(view)` copies; Buffer#slice would not (it shares Node's buffer pool).
  const copy = new Uint8Array(bytes).buffer;
  switch (dtype) {
    case "F64":
      return new Float64Array(copy);
    case "F32":
      return new Float32Array(copy);
    case "I64":
      return new BigInt64Array(copy);
    case "I32":
      return new Int32Array(copy);
    case "U8":
    case "BOOL":
      return new Uint8Array(copy);
    case "F16": {
      const halves = new Uint16Array(copy);
      return Float32Array.from(halves, halfToFloat);
    }
  }
}

/** Parses a safetensors buffer; `path` only names the file in error messages. */
export function parseSafetensors(buffer: Uint8Array, path: string): SafetensorsFile {
  const fail = (problem: string): never => {
    throw new FileFormatError(path, `not a valid safetensors file: ${problem}`);
  };
  if (buffer.length < 8) fail(`${buffer.length} bytes, shorter than the 8-byte header length`);
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (headerLength > MAX_HEADER_BYTES) fail(`header length ${headerLength} is implausibly large`);
  if (8 + headerLength > buffer.length) {
    fail(`header length ${headerLength} runs past the end of the file (truncated?)`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(buffer.subarray(8, 8 + headerLength)));
  } catch (error) {
    fail(`header is not JSON (${(error as Error).message})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) {
    fail("header is not a JSON object");
  }
  const dataStart = 8 + headerLength;
  const dataLength = buffer.length - dataStart;
  const metadata: Record<string, string> = {};
  const spans: { name: string; begin: number; end: number }[] = [];
  const tensors = new Map<string, NamedTensor>();
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      for (const [key, value] of Object.entries((entry ?? {}) as Record<string, unknown>)) {
        if (typeof value !== "string") fail(`__metadata__.${key} is not a string`);
        metadata[key] = value as string;
      }
      continue;
    }
    const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as Record<string, unknown>;
    if (!isDtype(dtype)) fail(`tensor "${name}" has unsupported dtype ${JSON.stringify(dtype)}`);
    const validShape =
      Array.isArray(shape) && shape.every((dim) => Number.isInteger(dim) && dim >= 0);
    if (!validShape) fail(`tensor "${name}" has an invalid shape ${JSON.stringify(shape)}`);
    const validOffsets =
      Array.isArray(offsets) &&
      offsets.length === 2 &&
      offsets.every((offset) => Number.isInteger(offset) && offset >= 0) &&
      offsets[0] <= offsets[1];
    if (!validOffsets) fail(`tensor "${name}" has invalid data_offsets`);
    const [begin, end] = offsets as [number, number];
    const typedDtype = dtype as SafetensorsDtype;
    const expectedBytes = elementCount(shape as number[]) * BYTES_PER_ELEMENT[typedDtype];
    if (end - begin !== expectedBytes) {
      fail(`tensor "${name}" spans ${end - begin} bytes, its shape needs ${expectedBytes}`);
    }
    if (end > dataLength) fail(`tensor "${name}" ends past the end of the file (truncated?)`);
    spans.push({ name, begin, end });
    tensors.set(name, {
      dtype: typedDtype,
      shape: [...(shape as number[])],
      data: decode(typedDtype, buffer.subarray(dataStart + begin, dataStart + end)),
    });
  }
  // Like the reference implementation: the tensors must tile the data section exactly.
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const span of spans) {
    if (span.begin !== covered) fail(`tensor "${span.name}" overlaps or leaves a gap`);
    covered = span.end;
  }
  if (covered !== dataLength) fail(`${dataLength - covered} bytes after the last tensor`);
  return { tensors, metadata };
}

export function readSafetensors(path: string): SafetensorsFile {
  return parseSafetensors(readFileSync(path), path);
}

export interface TensorToWrite {
  dtype: WritableDtype;
  shape: readonly number[];
  data: TensorData;
}

/**
 * Serializes tensors the way the reference implementation does: tensors ordered by name,
 * `__metadata__` first, and the header padded with spaces to a multiple of 8 bytes so the
 * data section starts aligned.
 */
export function serializeSafetensors(
  tensors: ReadonlyMap<string, TensorToWrite> | Record<string, TensorToWrite>,
  metadata?: Record<string, string>,
): Uint8Array {
  const unsorted: [string, TensorToWrite][] =
    tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  const entries = unsorted.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata !== undefined && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, tensor] of entries) {
    const expected = elementCount(tensor.shape) * BYTES_PER_ELEMENT[tensor.dtype];
    if (tensor.data.byteLength !== expected) {
      throw new Error(
        `safetensors: tensor "${name}" has ${tensor.data.byteLength} bytes, shape ${JSON.stringify(tensor.shape)} ${tensor.dtype} needs ${expected}`,
      );
    }
    header[name] = {
      dtype: tensor.dtype,
      shape: [...tensor.shape],
      data_offsets: [offset, offset + expected],
    };
    offset += expected;
  }
  let headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const padding = (8 - (headerBytes.length % 8)) % 8;
  if (padding > 0) {
    headerBytes = new TextEncoder().encode(JSON.stringify(header) + " ".repeat(padding));
  }
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const [, tensor] of entries) {
    const bytes = new Uint8Array(
      tensor.data.buffer,
      tensor.data.byteOffset,
      tensor.data.byteLength,
    );
    out.set(bytes, position);
    position += bytes.length;
  }
  return out;
}

export function writeSafetensors(
  path: string,
  tensors: ReadonlyMap<string, TensorToWrite> | Record<string, TensorToWrite>,
  metadata?: Record<string, string>,
): void {
  writeFileAtomicSync(path, serializeSafetensors(tensors, metadata));
}

/**
 * An ONNX TensorProto (an initializer, a Constant's value, a test case's input) as plain data:
 * its dims, its nnr dtype and its elements in a typed array. Every size is checked before the
 * array is made; data held outside the model file (external data) is read only from files
 * inside the model's own folder.
 */
import { closeSync, fstatSync, openSync, readSync, realpathSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { type DType, dtypeBytes, type TypedArray, viewAs } from "../engine/dtype.js";
import { UserError } from "../errors.js";
import { elementCount, maxTensorBytes } from "./limits.js";
import { int64, type TensorProto } from "./proto.js";

export interface OnnxTensor {
  readonly name: string;
  readonly dims: readonly number[];
  readonly dtype: DType;
  readonly data: TypedArray;
}

/** Where a tensor comes from, for messages and for resolving external data. */
export interface TensorSource {
  /** The model (or .pb) file, named in every message. */
  readonly file: string;
  /** The folder external data must stay within: the model's. */
  readonly folder: string;
  /** Test data may be float64; a model's weights may not. */
  readonly allowFloat64?: boolean;
}

/** ONNX's TensorProto.DataType numbers for the dtypes nnr holds. */
const DTYPES: Readonly<Record<number, DType>> = {
  1: "float32",
  2: "uint8",
  6: "int32",
  7: "int64",
  9: "bool",
  11: "float64",
};

const ONNX_TYPE_NAMES: Readonly<Record<number, string>> = {
  3: "int8",
  4: "uint16",
  5: "int16",
  8: "string",
  10: "float16",
  12: "uint32",
  13: "uint64",
  14: "complex64",
  15: "complex128",
  16: "bfloat16",
};

/** The nnr dtype of an ONNX element type, or a one-line refusal. */
export function dtypeOfOnnx(code: number, what: string, source: TensorSource): DType {
  const dtype = DTYPES[code];
  if (dtype === "float64" && source.allowFloat64 !== true) {
    throw new UserError(
      `${source.file}: ${what} holds float64 weights; export the model in float32 (model.float() before torch.onnx.export)`,
    );
  }
  if (dtype !== undefined) return dtype;
  const name = ONNX_TYPE_NAMES[code] ?? `type ${code}`;
  throw new UserError(
    `${source.file}: ${what} is ${name}, which nnr does not train; export it as float32 (integers as int64 or int32)`,
  );
}

export function decodeTensor(proto: TensorProto, source: TensorSource): OnnxTensor {
  const name = proto.name ?? "";
  const what = `tensor '${name}'`;
  const dtype = dtypeOfOnnx(proto.dataType ?? 0, what, source);
  const dims = (proto.dims ?? []).map((d) => int64(d));
  const count = dims.includes(null) ? null : elementCount(dims as number[]);
  if (count === null) {
    throw new UserError(
      `${source.file}: ${what} has dims [${(proto.dims ?? []).join(", ")}], not a valid shape; the file is damaged or not an ONNX model`,
    );
  }
  const bytes = count * dtypeBytes[dtype];
  if (bytes > maxTensorBytes()) {
    throw new UserError(
      `${source.file}: ${what} would take ${bytes} bytes, more than this machine can hold; the file is damaged or the model too large`,
    );
  }
  const shape = dims as number[];
  const data = readElements(proto, dtype, count, what, source);
  return { name, dims: shape, dtype, data };
}

function readElements(
  proto: TensorProto,
  dtype: DType,
  count: number,
  what: string,
  source: TensorSource,
): TypedArray {
  if (proto.dataLocation === 1) {
    return fromBytes(readExternal(proto, count * dtypeBytes[dtype], what, source), dtype, count);
  }
  if (proto.rawData !== null && proto.rawData !== undefined && proto.rawData.length > 0) {
    if (proto.rawData.length !== count * dtypeBytes[dtype]) {
      throw mismatch(source, what, proto.rawData.length, count * dtypeBytes[dtype], "bytes");
    }
    return fromBytes(proto.rawData, dtype, count);
  }
  return fromFields(proto, dtype, count, what, source);
}

function mismatch(
  source: TensorSource,
  what: string,
  got: number,
  expected: number,
  unit: string,
): UserError {
  return new UserError(
    `${source.file}: ${what} holds ${got} ${unit} where its dims need ${expected}; the file is damaged or truncated`,
  );
}

/** Copies little-endian element bytes into a fresh, aligned typed array. */
function fromBytes(bytes: Uint8Array, dtype: DType, count: number): TypedArray {
  const buffer = new ArrayBuffer(count * dtypeBytes[dtype]);
  new Uint8Array(buffer).set(bytes.subarray(0, count * dtypeBytes[dtype]));
  return viewAs(buffer, dtype);
}

function fromFields(
  proto: TensorProto,
  dtype: DType,
  count: number,
  what: string,
  source: TensorSource,
): TypedArray {
  const values = fieldOf(proto, dtype);
  if (values.length !== count) throw mismatch(source, what, values.length, count, "elements");
  switch (dtype) {
    case "float32":
      return Float32Array.from(values as number[]);
    case "float64":
      return Float64Array.from(values as number[]);
    case "int64":
      return BigInt64Array.from(values, (v) => BigInt(String(v)));
    case "int32":
      return Int32Array.from(values as number[]);
    default:
      return Uint8Array.from(values as number[], (v) => (dtype === "bool" ? (v !== 0 ? 1 : 0) : v));
  }
}

type Field = readonly (number | { toString(): string })[];

function fieldOf(proto: TensorProto, dtype: DType): Field {
  switch (dtype) {
    case "float32":
      return proto.floatData ?? [];
    case "float64":
      return proto.doubleData ?? [];
    case "int64":
      return proto.int64Data ?? [];
    default:
      return proto.int32Data ?? [];
  }
}

/** Reads an external-data tensor, refusing a path that leaves the model's folder. */
function readExternal(
  proto: TensorProto,
  bytes: number,
  what: string,
  source: TensorSource,
): Uint8Array {
  const entries = new Map((proto.externalData ?? []).map((e) => [e.key ?? "", e.value ?? ""]));
  const location = entries.get("location") ?? "";
  const offset = Number(entries.get("offset") ?? "0");
  const path = insideFolder(location, what, source);
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + bytes > size) {
      throw new UserError(
        `${source.file}: ${what} reads ${bytes} bytes at offset ${entries.get("offset") ?? 0} of '${location}', which holds ${size}; the external data file is truncated or not this model's`,
      );
    }
    const data = new Uint8Array(bytes);
    let done = 0;
    while (done < bytes) {
      const read = readSync(fd, data, done, bytes - done, offset + done);
      if (read === 0) break;
      done += read;
    }
    return data;
  } finally {
    closeSync(fd);
  }
}

function insideFolder(location: string, what: string, source: TensorSource): string {
  const refuse = (why: string) =>
    new UserError(
      `${source.file}: ${what} names external data '${location}', ${why}; keep the data files beside the model`,
    );
  if (location === "" || isAbsolute(location) || location.includes("\0")) {
    throw refuse("not a relative path inside the model's folder");
  }
  const folder = realpathSync(source.folder);
  const candidate = resolve(folder, location);
  let real: string;
  try {
    real = realpathSync(candidate);
  } catch {
    throw refuse("which does not exist");
  }
  const within = relative(folder, real);
  if (within === "" || within.startsWith(`..${sep}`) || within === ".." || isAbsolute(within)) {
    throw refuse("which leaves the model's folder");
  }
  return real;
}

import { type DType, dtypeOf, type TypedArray } from "./dtype.js";
import { native } from "./native.js";
import { Tensor } from "./tensor.js";

export interface CreateOptions {
  dtype?: DType;
  device?: string;
}

/**
 * A tensor holding a copy of data, with the given shape. The dtype follows the typed array
 * unless given (a Uint8Array can become "bool"); plain number arrays become float32.
 */
export function tensor(
  data: TypedArray | readonly number[],
  shape?: readonly number[],
  options: CreateOptions = {},
): Tensor {
  const typed = ArrayBuffer.isView(data) ? data : Float32Array.from(data);
  const dtype = options.dtype ?? dtypeOf(typed);
  if (ArrayBuffer.isView(data)) {
    const natural = dtypeOf(typed);
    if (natural !== dtype && !(natural === "uint8" && dtype === "bool")) {
      throw new TypeError(`tensor(): a ${typed.constructor.name} cannot hold ${dtype} data`);
    }
  }
  const source = ArrayBuffer.isView(data) ? typed : convert(typed as Float32Array, dtype);
  const fullShape = shape === undefined ? [typed.length] : [...shape];
  const handle = native.fromTypedArray(source, fullShape, dtype);
  const made = Tensor.wrap(handle);
  if (options.device === undefined || options.device === "cpu") return made;
  const moved = made.to({ device: options.device });
  made.dispose();
  return moved;
}

function convert(values: Float32Array, dtype: DType): TypedArray {
  switch (dtype) {
    case "float32":
      return values;
    case "float64":
      return Float64Array.from(values);
    case "int64":
      return BigInt64Array.from(values, (v) => BigInt(Math.trunc(v)));
    case "int32":
      return Int32Array.from(values);
    case "uint8":
    case "bool":
      return Uint8Array.from(values);
    default:
      throw new TypeError(`tensor(): cannot build a ${dtype} tensor from a number array`);
  }
}

/** A 0-dimensional tensor. */
export function scalar(value: number, options: CreateOptions = {}): Tensor {
  return full([], value, options);
}

export function zeros(shape: readonly number[], options: CreateOptions = {}): Tensor {
  return Tensor.wrap(native.zeros([...shape], options.dtype ?? null, options.device ?? null));
}

export function ones(shape: readonly number[], options: CreateOptions = {}): Tensor {
  return Tensor.wrap(native.ones([...shape], options.dtype ?? null, options.device ?? null));
}

export function full(shape: readonly number[], value: number, options: CreateOptions = {}): Tensor {
  return Tensor.wrap(native.full([...shape], value, options.dtype ?? null, options.device ?? null));
}

/** Uninitialised memory: only for tensors that are written before they are read. */
export function empty(shape: readonly number[], options: CreateOptions = {}): Tensor {
  return Tensor.wrap(native.empty([...shape], options.dtype ?? null, options.device ?? null));
}

/** Values start, start+step, … below end; int64 unless a dtype is given. */
export function arange(start: number, end?: number, step = 1, options: CreateOptions = {}): Tensor {
  const [from, to] = end === undefined ? [0, start] : [start, end];
  return Tensor.wrap(native.arange(from, to, step, options.dtype ?? null, options.device ?? null));
}

export function zerosLike(t: Tensor): Tensor {
  return zeros(t.shape, { dtype: t.dtype, device: t.device });
}

export function onesLike(t: Tensor): Tensor {
  return ones(t.shape, { dtype: t.dtype, device: t.device });
}

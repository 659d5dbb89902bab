/**
 * The globals a pickle may name, interpreted rather than called: NumPy's array and dtype
 * reconstruction (REDUCE, then BUILD with the state), and `_codecs.encode`, how Python 3
 * writes bytes at protocol 2.
 */
import {
  isLongText,
  isTuple,
  latin1,
  latin1FromUtf8,
  type PickleArray,
  type PickleTuple,
  type PickleValue,
  type Refuser,
  tuple,
} from "./pickle-values.js";

/** A call of an allowed global, interpreted: nothing is executed. */
export function reduce(u: Refuser, callable: PickleValue, args: PickleValue): PickleValue {
  if (
    callable === null ||
    typeof callable !== "object" ||
    !("kind" in callable) ||
    callable.kind !== "global"
  ) {
    return u.fail("REDUCE on something that is not an allowed global");
  }
  if (!isTuple(args)) return u.fail("REDUCE without an argument tuple");
  const [first, second] = args.items;
  switch (callable.name) {
    case "reconstruct": {
      const isNdarray =
        first !== null &&
        typeof first === "object" &&
        "kind" in first &&
        first.kind === "global" &&
        first.name === "ndarray";
      if (!isNdarray) u.fail("_reconstruct of a class other than numpy.ndarray");
      return { kind: "array-pending" };
    }
    case "dtype":
      if (typeof first !== "string" && !(first instanceof Uint8Array))
        u.fail("numpy.dtype of a non-string");
      return {
        kind: "dtype",
        descr: typeof first === "string" ? first : latin1(first),
        byteOrder: "|",
      };
    case "encode": {
      const isText = typeof first === "string" || isLongText(first);
      if (!isText || (second !== "latin1" && second !== "latin-1")) {
        u.fail("_codecs.encode other than a latin1 string");
      }
      if (isLongText(first)) return latin1FromUtf8(u, first.utf8);
      // Both native: the check, then Buffer's latin1 encoding (which would wrap past 0xff).
      if (/[\u0100-\uffff]/.test(first)) u.fail("_codecs.encode of a character outside latin1");
      return new Uint8Array(Buffer.from(first, "latin1"));
    }
    default:
      return u.fail(`${callable.name} cannot be called`);
  }
}

const DESCR_BYTES: Record<string, number> = {
  b1: 1,
  u1: 1,
  i1: 1,
  u2: 2,
  i2: 2,
  u4: 4,
  i4: 4,
  u8: 8,
  i8: 8,
  f4: 4,
  f8: 8,
};

/** BUILD: the state of an array or a dtype being reconstructed. */
export function build(u: Refuser, target: PickleValue, state: PickleValue): PickleValue {
  if (target === null || typeof target !== "object" || !("kind" in target) || !isTuple(state)) {
    return u.fail("BUILD of something other than a NumPy array or dtype");
  }
  if (target.kind === "dtype") {
    const order = state.items[1];
    if (typeof order !== "string" && !(order instanceof Uint8Array))
      u.fail("a dtype's byte order is not a string");
    target.byteOrder = typeof order === "string" ? order : latin1(order);
    return target;
  }
  if (target.kind !== "array-pending")
    return u.fail("BUILD of something other than a NumPy array or dtype");
  return arrayFromState(u, state as PickleTuple);
}

function arrayFromState(u: Refuser, state: PickleTuple): PickleArray {
  const [, shapeValue, dtype, fortran, raw] = state.items;
  if (
    !isTuple(shapeValue) ||
    shapeValue.items.some((d) => typeof d !== "number" || !Number.isInteger(d) || d < 0)
  ) {
    u.fail("an array's shape is not a tuple of sizes");
  }
  if (dtype === null || typeof dtype !== "object" || !("kind" in dtype) || dtype.kind !== "dtype") {
    u.fail("an array's dtype is not a numpy.dtype");
  }
  if (fortran !== false && fortran !== 0) u.fail("Fortran-order arrays are not read");
  const bytesPer = DESCR_BYTES[dtype.descr];
  if (bytesPer === undefined)
    u.fail(`dtype ${dtype.descr} is not read (numbers only: no object arrays)`);
  if (dtype.byteOrder === ">" && bytesPer > 1)
    u.fail(`big-endian dtype >${dtype.descr} is not read`);
  const data =
    typeof raw === "string"
      ? reduceLatin1(u, raw)
      : isLongText(raw)
        ? latin1FromUtf8(u, raw.utf8)
        : raw;
  if (!(data instanceof Uint8Array)) return u.fail("an array's data is not bytes");
  const shape = shapeValue.items as number[];
  const count = shape.reduce((product, dim) => product * dim, 1);
  if (count * bytesPer !== data.length) {
    u.fail(
      `array of shape (${shape.join(", ")}) needs ${count * bytesPer} bytes, holds ${data.length}`,
    );
  }
  const order = bytesPer === 1 ? "|" : "<";
  return { kind: "ndarray", descr: `${order}${dtype.descr}`, shape, data };
}

/** Python 2's str loaded as text: its bytes are the latin1 codes. */
function reduceLatin1(u: Refuser, text: string): Uint8Array {
  return reduce(u, { kind: "global", name: "encode" }, tuple([text, "latin1"])) as Uint8Array;
}

/**
 * A restricted unpickler: it reads the data of a pickle and never runs it. Only the opcodes
 * of protocols 2–4 that plain containers and NumPy arrays need are accepted, and only four
 * globals, each interpreted here rather than called: NumPy's array reconstruction
 * (`numpy.core.multiarray._reconstruct`, or `numpy._core` under NumPy 2), `numpy.ndarray`,
 * `numpy.dtype`, and `_codecs.encode` (how Python 3 writes bytes at protocol 2). Anything
 * else (another global, an opcode outside the list) is refused in one line naming it. This
 * is what torchvision's CIFAR python folders hold: dicts of lists, strings and uint8 arrays.
 */
import { FileFormatError, printable } from "./errors.js";

export interface PickleArray {
  kind: "ndarray";
  /** NumPy's descriptor with byte order, e.g. `|u1`, `<i8`. */
  descr: string;
  shape: number[];
  /** The array's bytes, C order (a view of the pickle's bytes where they were stored raw). */
  data: Uint8Array;
}

export interface PickleTuple {
  kind: "tuple";
  items: PickleValue[];
}

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | PickleTuple
  | Map<string, PickleValue>
  | PickleArray
  | LongText
  | PickleObject;

/** Values that exist only while unpickling: an allowed global, an array or dtype being built. */
/** Text over 64 KiB, kept as its UTF-8 bytes (`text` in a pickle of bytes at protocol 2). */
export interface LongText {
  kind: "text";
  utf8: Uint8Array;
}

function isLongText(value: PickleValue | undefined): value is LongText {
  return typeof value === "object" && value !== null && "kind" in value && value.kind === "text";
}

type PickleObject =
  | { kind: "global"; name: AllowedGlobal }
  | { kind: "array-pending" }
  | { kind: "dtype"; descr: string; byteOrder: string };

const ALLOWED_GLOBALS = {
  "numpy.core.multiarray._reconstruct": "reconstruct",
  "numpy._core.multiarray._reconstruct": "reconstruct",
  "numpy.ndarray": "ndarray",
  "numpy.dtype": "dtype",
  "_codecs.encode": "encode",
} as const;
type AllowedGlobal = (typeof ALLOWED_GLOBALS)[keyof typeof ALLOWED_GLOBALS];

const MARK = Symbol("mark");
type StackItem = PickleValue | typeof MARK;

class Unpickler {
  private at = 0;
  private readonly stack: StackItem[] = [];
  private readonly memo = new Map<number, PickleValue>();
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly path: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(problem: string): never {
    throw new FileFormatError(this.path, `pickle refused: ${problem}`);
  }

  take(length: number): Uint8Array {
    if (!Number.isSafeInteger(length) || length < 0 || this.at + length > this.bytes.length) {
      this.fail(`a ${length}-byte field at byte ${this.at} runs past the end (truncated?)`);
    }
    const out = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return out;
  }

  u8(): number {
    return this.take(1)[0]!;
  }

  u16(): number {
    const at = this.take(2).byteOffset - this.bytes.byteOffset;
    return this.view.getUint16(at, true);
  }

  i32(): number {
    const at = this.take(4).byteOffset - this.bytes.byteOffset;
    return this.view.getInt32(at, true);
  }

  u32(): number {
    return this.i32() >>> 0;
  }

  u64(): number {
    const low = this.u32();
    const value = low + this.u32() * 2 ** 32;
    if (!Number.isSafeInteger(value)) this.fail("a 64-bit length is out of range");
    return value;
  }

  line(): string {
    const end = this.bytes.indexOf(0x0a, this.at);
    if (end === -1 || end - this.at > 256) this.fail("a GLOBAL name is not newline-terminated");
    const text = latin1(this.bytes.subarray(this.at, end));
    this.at = end + 1;
    return text;
  }

  push(value: StackItem): void {
    this.stack.push(value);
  }

  pop(): PickleValue {
    const value = this.stack.pop();
    if (value === undefined || value === MARK) this.fail(`stack underflow at byte ${this.at - 1}`);
    return value as PickleValue;
  }

  top(): PickleValue {
    const value = this.stack[this.stack.length - 1];
    if (value === undefined || value === MARK) this.fail(`stack underflow at byte ${this.at - 1}`);
    return value as PickleValue;
  }

  /** The items above the topmost mark, removing them and the mark. */
  popMark(): PickleValue[] {
    const mark = this.stack.lastIndexOf(MARK);
    if (mark === -1) this.fail(`no MARK before byte ${this.at - 1}`);
    const items = this.stack.splice(mark) as PickleValue[];
    items.shift();
    return items;
  }

  run(): PickleValue {
    while (this.at < this.bytes.length) {
      const opcode = this.u8();
      if (opcode === 0x2e) {
        if (this.stack.length !== 1)
          this.fail(`STOP with ${this.stack.length} values on the stack`);
        return this.pop();
      }
      this.step(opcode);
    }
    return this.fail("no STOP opcode (truncated?)");
  }

  private step(opcode: number): void {
    const handler = OPCODES[opcode];
    if (handler === undefined) {
      const name =
        opcode >= 0x20 && opcode < 0x7f
          ? `'${String.fromCharCode(opcode)}'`
          : `0x${opcode.toString(16)}`;
      this.fail(
        `opcode ${name} at byte ${this.at - 1} is outside the subset nnr reads (protocols 2–4, plain data and NumPy arrays)`,
      );
    }
    handler(this);
  }

  memoPut(index: number): void {
    this.memo.set(index, this.top());
  }

  memoGet(index: number): void {
    if (!this.memo.has(index)) this.fail(`memo entry ${index} is read before it is written`);
    this.push(this.memo.get(index)!);
  }

  get memoSize(): number {
    return this.memo.size;
  }

  global(module: string, name: string): void {
    const full = `${module}.${name}`;
    const allowed = (ALLOWED_GLOBALS as Record<string, AllowedGlobal>)[full];
    if (allowed === undefined) {
      this.fail(
        `global "${printable(full)}" is not allowed (nnr accepts only ${Object.keys(ALLOWED_GLOBALS).join(", ")}); nothing in a pickle is executed`,
      );
    }
    this.push({ kind: "global", name: allowed });
  }
}

function latin1(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return text;
}

/** Text over this many bytes is kept as its UTF-8 bytes: Python 3 pickles bytes as such text. */
const LONG_TEXT = 64 * 1024;

function text(bytes: Uint8Array): string | LongText {
  if (bytes.length > LONG_TEXT) return { kind: "text", utf8: bytes };
  return new TextDecoder("utf-8", { fatal: false }).decode(bytes);
}

/**
 * The latin1 bytes of text held as UTF-8, as `_codecs.encode(text, "latin1")` gives them: every
 * character is one or two UTF-8 bytes (U+0000–U+00FF). A JavaScript loop, since decoding
 * 20 MB of such UTF-8 to a string first takes TextDecoder's slow path (0.6 s).
 */
function latin1FromUtf8(u: Unpickler, utf8: Uint8Array): Uint8Array {
  const out = new Uint8Array(utf8.length);
  let n = 0;
  for (let i = 0; i < utf8.length; i++) {
    const b = utf8[i]!;
    if (b < 0x80) {
      out[n++] = b;
    } else if (
      (b === 0xc2 || b === 0xc3) &&
      i + 1 < utf8.length &&
      (utf8[i + 1]! & 0xc0) === 0x80
    ) {
      out[n++] = ((b & 0x03) << 6) | (utf8[++i]! & 0x3f);
    } else {
      u.fail("_codecs.encode of a character outside latin1");
    }
  }
  return out.subarray(0, n);
}

function isTuple(value: PickleValue | undefined): value is PickleTuple {
  return (
    value !== undefined &&
    value !== null &&
    typeof value === "object" &&
    "kind" in value &&
    value.kind === "tuple"
  );
}

function tuple(items: PickleValue[]): PickleTuple {
  return { kind: "tuple", items };
}

function dictKey(u: Unpickler, key: PickleValue): string {
  if (typeof key === "string") return key;
  if (key instanceof Uint8Array) return latin1(key);
  if (typeof key === "number") return String(key);
  return u.fail("a dict key is not a string, bytes or integer");
}

function setItems(u: Unpickler, target: PickleValue, items: PickleValue[]): void {
  if (!(target instanceof Map)) u.fail("SETITEM(S) on something that is not a dict");
  if (items.length % 2 !== 0) u.fail("SETITEMS with an odd number of items");
  for (let i = 0; i < items.length; i += 2) target.set(dictKey(u, items[i]!), items[i + 1]!);
}

function append(u: Unpickler, target: PickleValue, items: PickleValue[]): void {
  if (!Array.isArray(target)) u.fail("APPEND(S) on something that is not a list");
  for (const item of items) target.push(item);
}

function longFromBytes(bytes: Uint8Array): number | bigint {
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
  if (bytes.length > 0 && bytes[bytes.length - 1]! & 0x80) value -= 1n << BigInt(8 * bytes.length);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}

/** A call of an allowed global, interpreted: nothing is executed. */
function reduce(u: Unpickler, callable: PickleValue, args: PickleValue): PickleValue {
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
      if (/[^\x00-\xff]/.test(first)) u.fail("_codecs.encode of a character outside latin1");
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
function build(u: Unpickler, target: PickleValue, state: PickleValue): PickleValue {
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

function arrayFromState(u: Unpickler, state: PickleTuple): PickleArray {
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
function reduceLatin1(u: Unpickler, text: string): Uint8Array {
  return reduce(u, { kind: "global", name: "encode" }, tuple([text, "latin1"])) as Uint8Array;
}

type Handler = (u: Unpickler) => void;

const OPCODES: Record<number, Handler> = {
  128: (u) => {
    const protocol = u.u8();
    if (protocol < 2 || protocol > 4) u.fail(`protocol ${protocol}; nnr reads protocols 2–4`);
  },
  149: (u) => void u.u64(), // FRAME: a length hint, nothing to do
  40: (u) => u.push(MARK),
  125: (u) => u.push(new Map()),
  93: (u) => u.push([]),
  41: (u) => u.push(tuple([])),
  116: (u) => u.push(tuple(u.popMark())),
  133: (u) => u.push(tuple([u.pop()])),
  134: (u) => {
    const b = u.pop();
    u.push(tuple([u.pop(), b]));
  },
  135: (u) => {
    const c = u.pop();
    const b = u.pop();
    u.push(tuple([u.pop(), b, c]));
  },
  97: (u) => {
    const item = u.pop();
    append(u, u.top(), [item]);
  },
  101: (u) => {
    const items = u.popMark();
    append(u, u.top(), items);
  },
  115: (u) => {
    const value = u.pop();
    const key = u.pop();
    setItems(u, u.top(), [key, value]);
  },
  117: (u) => {
    const items = u.popMark();
    setItems(u, u.top(), items);
  },
  74: (u) => u.push(u.i32()),
  75: (u) => u.push(u.u8()),
  77: (u) => u.push(u.u16()),
  138: (u) => u.push(longFromBytes(u.take(u.u8()))),
  78: (u) => u.push(null),
  136: (u) => u.push(true),
  137: (u) => u.push(false),
  71: (u) => {
    const bytes = u.take(8);
    u.push(new DataView(bytes.buffer, bytes.byteOffset, 8).getFloat64(0, false));
  },
  85: (u) => u.push(u.take(u.u8())),
  84: (u) => u.push(u.take(u.i32())),
  67: (u) => u.push(u.take(u.u8())),
  66: (u) => u.push(u.take(u.u32())),
  142: (u) => u.push(u.take(u.u64())),
  88: (u) => u.push(text(u.take(u.u32()))),
  140: (u) => u.push(text(u.take(u.u8()))),
  141: (u) => u.push(text(u.take(u.u64()))),
  113: (u) => u.memoPut(u.u8()),
  114: (u) => u.memoPut(u.u32()),
  148: (u) => u.memoPut(u.memoSize),
  104: (u) => u.memoGet(u.u8()),
  106: (u) => u.memoGet(u.u32()),
  99: (u) => u.global(u.line(), u.line()),
  147: (u) => {
    const name = u.pop();
    const module = u.pop();
    if (typeof module !== "string" || typeof name !== "string") {
      return u.fail("STACK_GLOBAL of non-strings");
    }
    u.global(module, name);
  },
  82: (u) => {
    const args = u.pop();
    u.push(reduce(u, u.pop(), args));
  },
  98: (u) => {
    const state = u.pop();
    u.push(build(u, u.pop(), state));
  },
};

/** Reads a pickle's value; refuses anything outside the subset in one line naming `path`. */
export function unpickle(bytes: Uint8Array, path: string): PickleValue {
  return new Unpickler(bytes, path).run();
}

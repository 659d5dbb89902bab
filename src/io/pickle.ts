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
import { build, reduce } from "./pickle-numpy.js";
import {
  ALLOWED_GLOBALS,
  type AllowedGlobal,
  latin1,
  type PickleValue,
  text,
  tuple,
} from "./pickle-values.js";

export type { LongText, PickleArray, PickleTuple, PickleValue } from "./pickle-values.js";

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

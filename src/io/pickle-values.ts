/** The values the restricted unpickler (pickle.ts) produces, and the few helpers on them. */

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

/** Text over 64 KiB, kept as its UTF-8 bytes (`text` in a pickle of bytes at protocol 2). */
export interface LongText {
  kind: "text";
  utf8: Uint8Array;
}

export function isLongText(value: PickleValue | undefined): value is LongText {
  return typeof value === "object" && value !== null && "kind" in value && value.kind === "text";
}

/** Values that exist only while unpickling: an allowed global, an array or dtype being built. */
export type PickleObject =
  | { kind: "global"; name: AllowedGlobal }
  | { kind: "array-pending" }
  | { kind: "dtype"; descr: string; byteOrder: string };

export const ALLOWED_GLOBALS = {
  "numpy.core.multiarray._reconstruct": "reconstruct",
  "numpy._core.multiarray._reconstruct": "reconstruct",
  "numpy.ndarray": "ndarray",
  "numpy.dtype": "dtype",
  "_codecs.encode": "encode",
} as const;
export type AllowedGlobal = (typeof ALLOWED_GLOBALS)[keyof typeof ALLOWED_GLOBALS];

/** How a step of the unpickler refuses: one line naming the file. */
export interface Refuser {
  fail(problem: string): never;
}

export function latin1(bytes: Uint8Array): string {
  let text = "";
  for (let i = 0; i < bytes.length; i += 8192) {
    text += String.fromCharCode(...bytes.subarray(i, i + 8192));
  }
  return text;
}

/** Text over this many bytes is kept as its UTF-8 bytes: Python 3 pickles bytes as such text. */
const LONG_TEXT = 64 * 1024;

export function text(bytes: Uint8Array): string | LongText {
  if (bytes.length > LONG_TEXT) return { kind: "text", utf8: bytes };
  return new TextDecoder("utf-8", { fatal: false }).decode(bytes);
}

/**
 * The latin1 bytes of text held as UTF-8, as `_codecs.encode(text, "latin1")` gives them: every
 * character is one or two UTF-8 bytes (U+0000–U+00FF). A JavaScript loop, since decoding
 * 20 MB of such UTF-8 to a string first takes TextDecoder's slow path (0.6 s).
 */
export function latin1FromUtf8(u: Refuser, utf8: Uint8Array): Uint8Array {
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

export function isTuple(value: PickleValue | undefined): value is PickleTuple {
  return (
    value !== undefined &&
    value !== null &&
    typeof value === "object" &&
    "kind" in value &&
    value.kind === "tuple"
  );
}

export function tuple(items: PickleValue[]): PickleTuple {
  return { kind: "tuple", items };
}

/**
 * Checks a Parquet column chunk's page headers before a reader trusts them. hyparquet sizes
 * its arrays by the counts in the headers; a corrupt count (a page claiming 184 million values
 * in a 600-byte file) grows a JavaScript array past V8's limit, which aborts the process
 * rather than throwing. So every page header of the chunks to be read is parsed here first
 * (Thrift's compact protocol, the few fields that matter) and each count and size is checked
 * against the row group and the file.
 */
import { FileFormatError } from "./errors.js";

/** The file, read in ranges. */
export interface ByteSource {
  byteLength: number;
  slice(start: number, end: number): ArrayBuffer | Promise<ArrayBuffer>;
}

/** What a column chunk's metadata says about where its pages are. */
export interface ChunkPlace {
  /** Column path, for messages. */
  column: string;
  start: number;
  length: number;
  /** Values the chunk holds (one per row for the flat and struct columns read here). */
  values: number;
}

/** Largest page header read; real ones are tens of bytes (more with statistics). */
const MAX_HEADER = 64 * 1024;
/** Snappy, gzip and zstd expand a page by at most this much here; more means a corrupt size. */
const MAX_EXPANSION = 1024;

type ThriftValue = number | boolean | Uint8Array | ThriftStruct | ThriftValue[];
interface ThriftStruct {
  [field: number]: ThriftValue;
}

class CompactReader {
  at = 0;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly fail: (problem: string) => never,
  ) {}

  byte(): number {
    if (this.at >= this.bytes.length) this.fail("a page header runs past its bytes");
    return this.bytes[this.at++]!;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (let shift = 0; shift < 70; shift += 7) {
      const b = this.byte();
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return value;
      scale *= 128;
    }
    return this.fail("a page header holds an over-long integer");
  }

  zigzag(): number {
    const n = this.varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }

  value(type: number, depth: number): ThriftValue {
    if (depth > 16) this.fail("a page header nests too deeply");
    switch (type) {
      case 1:
        return true;
      case 2:
        return false;
      case 3:
        return this.byte();
      case 4:
      case 5:
      case 6:
        return this.zigzag();
      case 7:
        this.skip(8);
        return 0;
      case 8:
        return this.skip(this.varint());
      case 9:
      case 10:
        return this.list(depth);
      case 12:
        return this.struct(depth + 1);
      default:
        return this.fail(`a page header has an unknown field type ${type}`);
    }
  }

  skip(length: number): Uint8Array {
    if (this.at + length > this.bytes.length) this.fail("a page header runs past its bytes");
    const out = this.bytes.subarray(this.at, this.at + length);
    this.at += length;
    return out;
  }

  list(depth: number): ThriftValue[] {
    const head = this.byte();
    const size = head >> 4 === 15 ? this.varint() : head >> 4;
    if (size > this.bytes.length - this.at)
      this.fail("a page header lists more items than it holds");
    const items: ThriftValue[] = [];
    for (let i = 0; i < size; i++) items.push(this.value(head & 0x0f, depth + 1));
    return items;
  }

  struct(depth: number): ThriftStruct {
    const out: ThriftStruct = {};
    let field = 0;
    for (;;) {
      const head = this.byte();
      if (head === 0) return out;
      const delta = head >> 4;
      field = delta === 0 ? this.zigzag() : field + delta;
      out[field] = this.value(head & 0x0f, depth);
    }
  }
}

function count(struct: ThriftStruct, field: number): number {
  const value = struct[field];
  return typeof value === "number" ? value : 0;
}

/** Walks one chunk's pages, refusing any count or size the chunk cannot hold. */
export async function checkChunkPages(
  file: ByteSource,
  path: string,
  chunk: ChunkPlace,
  rows: number,
): Promise<void> {
  const fail = (problem: string): never => {
    throw new FileFormatError(path, `corrupt Parquet file: column ${chunk.column}: ${problem}`);
  };
  const end = chunk.start + chunk.length;
  if (chunk.start < 0 || end > file.byteLength) fail("its pages lie outside the file");
  if (chunk.values > rows) fail(`${chunk.values} values in a row group of ${rows} rows`);
  let at = chunk.start;
  let dataValues = 0;
  while (dataValues < chunk.values && at < end) {
    const window = new Uint8Array(await file.slice(at, Math.min(end, at + MAX_HEADER)));
    const reader = new CompactReader(window, fail);
    const header = reader.struct(0);
    const compressed = count(header, 3);
    const uncompressed = count(header, 2);
    if (compressed < 0 || at + reader.at + compressed > end) fail("a page runs past its chunk");
    if (uncompressed < 0 || uncompressed > MAX_EXPANSION * compressed + 1024 * 1024) {
      fail(`a page claims ${uncompressed} bytes unpacked from ${compressed}`);
    }
    for (const field of [5, 7, 8]) {
      const sub = header[field];
      if (typeof sub !== "object" || Array.isArray(sub) || sub instanceof Uint8Array) continue;
      const values = count(sub as ThriftStruct, 1);
      if (values < 0 || values > rows)
        fail(`a page claims ${values} values in a row group of ${rows} rows`);
      if (field !== 7) dataValues += values;
    }
    at += reader.at + compressed;
  }
}

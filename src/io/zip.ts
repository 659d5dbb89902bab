/**
 * A zip reader for `.npz` files (what `np.savez` and `np.savez_compressed` write): the
 * central directory, then each member stored (a view of the file's bytes, no copy) or
 * deflated (inflated by node's zlib to exactly its declared size). Zip64 sizes and offsets
 * are read, since numpy writes its members with zip64 headers. Every offset and size is
 * checked against the file before use; anything else is refused in one line.
 */
import { crc32, inflateRawSync } from "node:zlib";
import { FileFormatError, printable } from "./errors.js";

export interface ZipEntry {
  name: string;
  /** 0 stored, 8 deflated. */
  method: number;
  compressedSize: number;
  size: number;
  crc: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_MEMBER_BYTES = 2 ** 31 - 1;

class ZipReader {
  private readonly view: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly path: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  fail(problem: string): never {
    throw new FileFormatError(this.path, `not a valid .npz (zip) file: ${problem}`);
  }

  u16(at: number): number {
    if (at < 0 || at + 2 > this.bytes.length) this.fail("a record runs past the end (truncated?)");
    return this.view.getUint16(at, true);
  }

  u32(at: number): number {
    if (at < 0 || at + 4 > this.bytes.length) this.fail("a record runs past the end (truncated?)");
    return this.view.getUint32(at, true);
  }

  u64(at: number): number {
    const value = this.u32(at) + this.u32(at + 4) * 2 ** 32;
    if (!Number.isSafeInteger(value)) this.fail("a 64-bit size or offset is out of range");
    return value;
  }
}

/** Offset of the end-of-central-directory record: within the last 64 KiB + 22 bytes. */
function findEndRecord(zip: ZipReader): number {
  const { bytes } = zip;
  const lowest = Math.max(0, bytes.length - 22 - 0xffff);
  for (let at = bytes.length - 22; at >= lowest; at--) {
    if (bytes[at] === 0x50 && bytes[at + 1] === 0x4b && zip.u32(at) === EOCD) return at;
  }
  return zip.fail("no end-of-central-directory record (not a zip file, or truncated)");
}

/** Where the central directory starts and how many entries it lists (zip64 where needed). */
function centralDirectory(zip: ZipReader): { offset: number; entries: number } {
  const end = findEndRecord(zip);
  let entries = zip.u16(end + 10);
  let offset = zip.u32(end + 16);
  if (
    (entries === 0xffff || offset === 0xffffffff) &&
    end >= 20 &&
    zip.u32(end - 20) === ZIP64_LOCATOR
  ) {
    const record = zip.u64(end - 20 + 8);
    if (zip.u32(record) !== ZIP64_EOCD) zip.fail("the zip64 end record is missing");
    entries = zip.u64(record + 32);
    offset = zip.u64(record + 48);
  }
  if (entries > zip.bytes.length / 46) zip.fail(`lists ${entries} entries, more than fit in it`);
  return { offset, entries };
}

/** Replaces 0xFFFFFFFF sizes and offsets with their zip64 extra field's values. */
function applyZip64(zip: ZipReader, entry: ZipEntry, extraStart: number, extraEnd: number): void {
  let at = extraStart;
  while (at + 4 <= extraEnd) {
    const id = zip.u16(at);
    const length = zip.u16(at + 2);
    if (id === 0x0001) {
      let field = at + 4;
      const take = (): number => {
        if (field + 8 > at + 4 + length)
          zip.fail(`entry ${printable(entry.name)}: short zip64 field`);
        const value = zip.u64(field);
        field += 8;
        return value;
      };
      if (entry.size === 0xffffffff) entry.size = take();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = take();
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = take();
      return;
    }
    at += 4 + length;
  }
}

/** The members of a zip file, from its central directory. */
export function listZip(bytes: Uint8Array, path: string): ZipEntry[] {
  const zip = new ZipReader(bytes, path);
  const { offset, entries } = centralDirectory(zip);
  const list: ZipEntry[] = [];
  let at = offset;
  for (let i = 0; i < entries; i++) {
    if (zip.u32(at) !== CENTRAL) zip.fail(`central directory entry ${i} has a bad signature`);
    const nameLength = zip.u16(at + 28);
    const extraLength = zip.u16(at + 30);
    const commentLength = zip.u16(at + 32);
    const nameEnd = at + 46 + nameLength;
    if (nameEnd + extraLength > bytes.length) zip.fail("a record runs past the end (truncated?)");
    const entry: ZipEntry = {
      name: new TextDecoder().decode(bytes.subarray(at + 46, nameEnd)),
      method: zip.u16(at + 10),
      crc: zip.u32(at + 16),
      compressedSize: zip.u32(at + 20),
      size: zip.u32(at + 24),
      localHeaderOffset: zip.u32(at + 42),
    };
    applyZip64(zip, entry, nameEnd, nameEnd + extraLength);
    list.push(entry);
    at = nameEnd + extraLength + commentLength;
  }
  return list;
}

/** A member's bytes: a view for a stored one, an inflated copy for a deflated one. */
export function readZipEntry(bytes: Uint8Array, path: string, entry: ZipEntry): Uint8Array {
  const zip = new ZipReader(bytes, path);
  const header = entry.localHeaderOffset;
  if (zip.u32(header) !== LOCAL) zip.fail(`entry ${printable(entry.name)}: bad local header`);
  const start = header + 30 + zip.u16(header + 26) + zip.u16(header + 28);
  const end = start + entry.compressedSize;
  if (end > bytes.length) zip.fail(`entry ${printable(entry.name)} runs past the end (truncated?)`);
  if (entry.size > MAX_MEMBER_BYTES)
    zip.fail(`entry ${printable(entry.name)} is over 2 GiB unpacked`);
  const packed = bytes.subarray(start, end);
  let data: Uint8Array;
  if (entry.method === 0) {
    if (entry.compressedSize !== entry.size)
      zip.fail(`entry ${printable(entry.name)}: sizes disagree`);
    data = packed;
  } else if (entry.method === 8) {
    data = inflate(zip, entry, packed);
  } else {
    return zip.fail(
      `entry ${printable(entry.name)} uses compression method ${entry.method}; nnr reads stored (0) and deflated (8) entries, as np.savez and np.savez_compressed write`,
    );
  }
  if (crc32(data) !== entry.crc) zip.fail(`entry ${printable(entry.name)}: CRC mismatch (corrupt)`);
  return data;
}

function inflate(zip: ZipReader, entry: ZipEntry, packed: Uint8Array): Uint8Array {
  let data: Buffer;
  try {
    // The declared size bounds the output: a member that inflates past it is refused.
    data = inflateRawSync(packed, { maxOutputLength: Math.max(1, entry.size) });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return zip.fail(`entry ${printable(entry.name)}: corrupt deflate data (${reason})`);
  }
  if (data.length !== entry.size) {
    zip.fail(
      `entry ${printable(entry.name)} inflates to ${data.length} bytes, declared ${entry.size}`,
    );
  }
  return data;
}

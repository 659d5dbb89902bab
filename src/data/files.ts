import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { UserError } from "../errors.js";
import type { SourceFile } from "./types.js";

/** A data-file problem as a one-line user error: which file, what is wrong, what to do. */
export function dataFileError(file: string, problem: string, remedy: string): UserError {
  return new UserError(`${file}: ${problem}; ${remedy}`);
}

export function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

export function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Reads a whole file, turning "missing" and "unreadable" into user errors. */
export function readDataFile(path: string, remedy: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw dataFileError(path, "file not found", remedy);
    if (code === "EISDIR") throw dataFileError(path, "is a directory, expected a file", remedy);
    throw dataFileError(path, `cannot read file (${code ?? String(error)})`, remedy);
  }
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;

/**
 * The file's bytes, gunzipped when they start with the gzip magic number. The content
 * decides, not the name: a `.gz` that was already unpacked by a browser still reads.
 */
export function gunzipIfNeeded(path: string, bytes: Buffer, remedy: string): Buffer {
  if (bytes.length < 2 || bytes[0] !== GZIP_MAGIC_0 || bytes[1] !== GZIP_MAGIC_1) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw dataFileError(path, `corrupt or truncated gzip data (${reason})`, remedy);
  }
}

export function describeFile(path: string, bytes: Buffer): SourceFile {
  return {
    path,
    bytes: bytes.length,
    sha256: createHash("sha256").update(bytes).digest("hex"),
  };
}

/** Entries of a directory, sorted by code point so the order never depends on the locale. */
export function sortedEntries(dir: string): string[] {
  return readdirSync(dir).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import type { SourceFile } from "./types.js";

const CHUNK = 1 << 20;

/** A file's size and SHA-256, read in 1 MiB pieces rather than whole. */
export function streamedSourceFile(path: string): SourceFile {
  const hash = createHash("sha256");
  const buffer = new Uint8Array(CHUNK);
  const fd = openSync(path, "r");
  let bytes = 0;
  try {
    for (;;) {
      const read = readSync(fd, buffer, 0, CHUNK, bytes);
      if (read === 0) break;
      hash.update(buffer.subarray(0, read));
      bytes += read;
    }
  } finally {
    closeSync(fd);
  }
  return { path, bytes, sha256: hash.digest("hex") };
}

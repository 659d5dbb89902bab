import { randomBytes } from "node:crypto";
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

/**
 * The temporary name lives in the target's own folder: rename is atomic only within one
 * file system, and a reader listing the folder skips dot-files ending in `.tmp`.
 */
function temporaryNameFor(path: string): string {
  const unique = `${process.pid}-${randomBytes(6).toString("hex")}`;
  return join(dirname(path), `.${basename(path)}.${unique}.tmp`);
}

/**
 * Writes `data` to `path` so that a concurrent reader sees either the old file or the new
 * one, never a partial write: write a temporary file beside it, then rename over it.
 */
export async function writeFileAtomic(
  path: string,
  data: string | NodeJS.ArrayBufferView,
): Promise<void> {
  const temporary = temporaryNameFor(path);
  try {
    await writeFile(temporary, data);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Synchronous form of {@link writeFileAtomic}, for code that cannot await. */
export function writeFileAtomicSync(path: string, data: string | NodeJS.ArrayBufferView): void {
  const temporary = temporaryNameFor(path);
  try {
    writeFileSync(temporary, data);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

import { readdirSync } from "node:fs";
import { join } from "node:path";

/** epoch -> path for files named `{prefix}{epoch}{suffix}` in a run folder. */
export function epochFiles(dir: string, prefix: string, suffix: string): Map<number, string> {
  const files = new Map<number, string>();
  const pattern = new RegExp(`^${prefix}(\\d+)${suffix.replace(".", "\\.")}$`);
  for (const name of readdirSync(dir)) {
    const match = pattern.exec(name);
    if (match) files.set(Number(match[1]), join(dir, name));
  }
  return files;
}

/**
 * The file a child process of nnr runs: the compiled `.js` beside a compiled caller; the
 * `.ts` through tsx when the caller itself runs from TypeScript (tests, `tsx`). tsx is
 * resolved from nnr's own install, not from the working folder, so any working folder will do.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

export interface ProcessEntry {
  /** The script node runs. */
  path: string;
  /** node's own arguments before it (the tsx loader, when running from TypeScript). */
  execArgv: string[];
}

/** The entry `name` (a path without extension, relative to `from`: its import.meta.url). */
export function entryBeside(from: string, name: string): ProcessEntry {
  const compiled = fileURLToPath(new URL(`${name}.js`, from));
  if (from.endsWith(".js") && existsSync(compiled)) return { path: compiled, execArgv: [] };
  return {
    path: fileURLToPath(new URL(`${name}.ts`, from)),
    execArgv: ["--import", import.meta.resolve("tsx")],
  };
}

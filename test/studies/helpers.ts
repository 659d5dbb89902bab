import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `nnr-${prefix}-`));
}

/** Runs the CLI in this process; returns the exit code and what it printed. */
export async function runCli(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const { log, error } = console;
  console.log = (...parts: unknown[]) => out.push(parts.join(" "));
  console.error = (...parts: unknown[]) => err.push(parts.join(" "));
  const writeErr = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    err.push(String(chunk));
    return true;
  }) as typeof process.stderr.write;
  try {
    const code = await main(["node", "nnr", ...args]);
    return { code, stdout: out.join("\n"), stderr: err.join("\n").trim() };
  } finally {
    console.log = log;
    console.error = error;
    process.stderr.write = writeErr;
    process.exitCode = 0;
  }
}

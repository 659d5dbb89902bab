import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { main } from "../../src/cli/main.js";

export const cliEntry = fileURLToPath(new URL("./cli-entry.ts", import.meta.url));

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `nnr-${prefix}-`));
}

/** Small, fast runs: 512 training and 256 test examples of the embedded Fashion-MNIST. */
export const TINY = [
  "--train-examples",
  "512",
  "--test-examples",
  "256",
  "--batch-size",
  "64",
  "--epochs",
  "2",
];

/** Runs the CLI in this process; returns the exit code and what it printed. */
export async function runCli(
  args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  const warn = console.warn;
  console.log = (...parts: unknown[]) => out.push(parts.join(" "));
  console.error = (...parts: unknown[]) => err.push(parts.join(" "));
  console.warn = console.error;
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
    console.warn = warn;
    process.stderr.write = writeErr;
    process.exitCode = 0;
  }
}

/** Runs the CLI in a child process (a fresh libtorch, a fresh V8). */
export function runCliProcess(args: string[]): { code: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ["--import", "tsx", cliEntry, ...args], {
    encoding: "utf8",
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export function spawnCli(args: string[]) {
  return spawn(process.execPath, ["--import", "tsx", cliEntry, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
}

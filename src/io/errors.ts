import { UserError } from "../errors.js";

/**
 * A file that exists but does not hold what its format promises (a truncated checkpoint,
 * a corrupt header). It is a user-facing error: the message names the file and the fault
 * on one line, so the CLI can print it without a stack trace.
 */
export class FileFormatError extends UserError {
  readonly path: string;

  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.path = path;
  }
}

/**
 * Text taken from a file, fit for a one-line message: control characters escaped (as JSON
 * writes them) and cut to `max` characters, so a hostile name cannot break or flood the line.
 */
export function printable(text: string, max = 80): string {
  const escaped = JSON.stringify(text).slice(1, -1);
  return escaped.length > max ? `${escaped.slice(0, max)}…` : escaped;
}

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

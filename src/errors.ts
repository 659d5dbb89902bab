/**
 * An error caused by the user's input (a flag, a file, a plan), not by a bug.
 * The CLI prints its message as one line, without a stack trace, and exits non-zero.
 * Messages name the flag or file that was wrong and say what to do.
 */
export class UserError extends Error {
  override readonly name = "UserError";
  readonly exitCode: number;

  constructor(message: string, options?: { exitCode?: number; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options?.exitCode ?? 2;
  }
}

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}

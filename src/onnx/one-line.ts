/**
 * Names in a model file (tensors, nodes, ops) are the file's own bytes: a message that quotes
 * one escapes its control characters, so a refusal stays one line whatever the file holds.
 */
import { isUserError, UserError } from "../errors.js";

const isControl = (code: number) =>
  code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;

export function escapeControls(text: string): string {
  let out = "";
  for (const c of text) {
    const code = c.charCodeAt(0);
    out += isControl(code) ? `\\u${code.toString(16).padStart(4, "0")}` : c;
  }
  return out;
}

/** Runs f; a UserError it throws is thrown again with its message kept to one line. */
export function withOneLineErrors<T>(f: () => T): T {
  try {
    return f();
  } catch (error) {
    if (!isUserError(error)) throw error;
    throw new UserError(escapeControls(error.message), { exitCode: error.exitCode, cause: error });
  }
}

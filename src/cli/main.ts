import { Command, CommanderError } from "commander";
import pc from "picocolors";
import { isUserError } from "../errors.js";
import { commands } from "./commands/index.js";

/** Runs the `nnr` command line and returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const debug = argv.includes("--debug");
  const program = new Command("nnr")
    .description("Train neural networks under controlled randomness and measure what it does.")
    .option("--debug", "print stack traces on errors")
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(pc.red(text)) });
  for (const register of commands) register(program);
  try {
    await program.parseAsync([...argv]);
    return typeof process.exitCode === "number" ? process.exitCode : 0;
  } catch (error) {
    return reportError(error, debug);
  }
}

function reportError(error: unknown, debug: boolean): number {
  if (error instanceof CommanderError) {
    // Commander has already printed its one-line message (or the help text).
    return error.exitCode === 0 ? 0 : 2;
  }
  if (debug) {
    console.error(error);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    console.error(pc.red(`nnr: ${message.split("\n")[0]}`));
    if (!isUserError(error)) console.error("(run again with --debug for the stack trace)");
  }
  return isUserError(error) ? error.exitCode : 1;
}

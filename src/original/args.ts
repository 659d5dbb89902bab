/**
 * The original scripts' command lines, parsed as Python's argparse parses them: `--name value`,
 * `--name=value`, store_true switches and `nargs='+'` lists (`--gpus 0 1`). Each script
 * declares its flags; anything else is refused on one line that lists what the script takes.
 */
import { UserError } from "../errors.js";

export type FlagKind = "switch" | "text" | "number" | "integer" | "list";
export type FlagSpec = Record<string, FlagKind>;
export type ParsedFlags = Record<string, string | number | boolean | string[]>;

function convert(script: string, name: string, kind: FlagKind, text: string): string | number {
  if (kind === "text") return text;
  const value = Number(text);
  const ok =
    text.trim() !== "" && Number.isFinite(value) && (kind !== "integer" || Number.isInteger(value));
  if (!ok || value <= 0)
    throw new UserError(
      `nnr original ${script}: --${name} ${text}: expected a positive ${kind === "integer" ? "integer" : "number"}`,
    );
  return value;
}

export function parseOriginalArgs(
  script: string,
  args: readonly string[],
  spec: FlagSpec,
): ParsedFlags {
  const flags: ParsedFlags = {};
  const known = Object.keys(spec)
    .map((name) => `--${name}`)
    .join(" ");
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith("--")) {
      throw new UserError(
        `nnr original ${script}: unexpected argument '${arg}'; it takes ${known}`,
      );
    }
    const [rawName, inline] = arg.slice(2).split(/=(.*)/s, 2) as [string, string | undefined];
    const name = rawName.replace(/-/g, "_");
    const kind = spec[name];
    if (kind === undefined) {
      throw new UserError(`nnr original ${script}: unknown flag --${rawName}; it takes ${known}`);
    }
    if (kind === "switch") {
      if (inline !== undefined)
        throw new UserError(`nnr original ${script}: --${name} takes no value`);
      flags[name] = true;
      continue;
    }
    if (kind === "list") {
      const values = inline !== undefined ? [inline] : [];
      while (inline === undefined && i + 1 < args.length && !args[i + 1]!.startsWith("--"))
        values.push(args[++i]!);
      if (values.length === 0)
        throw new UserError(`nnr original ${script}: --${name} needs at least one value`);
      flags[name] = values;
      continue;
    }
    const text = inline ?? args[++i];
    if (text === undefined || (inline === undefined && text.startsWith("--")))
      throw new UserError(`nnr original ${script}: --${name} needs a value`);
    flags[name] = convert(script, name, kind, text);
  }
  return flags;
}

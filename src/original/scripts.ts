/** `nnr original <script> [flags]`: the original's command lines, with `python -m` replaced. */
import { basename } from "node:path";
import { UserError } from "../errors.js";
import type { RunConfig } from "../train/config.js";
import { resolveRunConfig } from "../train/recipes.js";
import { parseOriginalArgs } from "./args.js";
import { DELEGATED_SCRIPTS } from "./delegated-scripts.js";
import { TRAINING_SCRIPTS } from "./training-scripts.js";

/** `src.training_script.smallcnn`, `./official/…/classifier_trainer.py`, `run_ae` → table keys. */
export function canonicalScript(script: string): string {
  let name = script.includes("/") ? basename(script) : script;
  name = name.replace(/^src\./, "");
  if (name === "run_ae" || name === "classifier_trainer") name = `${name}.py`;
  return name;
}

export const SCRIPT_NAMES = [
  ...Object.keys(TRAINING_SCRIPTS),
  "src.training_script.smallcnn",
  ...Object.keys(DELEGATED_SCRIPTS),
];

export type OriginalInvocation =
  | { kind: "train"; config: RunConfig; outDir: string }
  | { kind: "delegate"; commands: string[][] };

/** The flags a script takes, for `nnr original <script> --help`; undefined for an unknown script. */
export function scriptFlags(script: string): string[] | undefined {
  const name = canonicalScript(script);
  const spec = TRAINING_SCRIPTS[name]?.flags ?? DELEGATED_SCRIPTS[name]?.flags;
  return spec === undefined ? undefined : Object.keys(spec).map((flag) => `--${flag}`);
}

/** Resolves an original command line to what nnr runs; one-line errors for anything else. */
export function resolveOriginal(script: string, args: readonly string[]): OriginalInvocation {
  const name = canonicalScript(script);
  const training = TRAINING_SCRIPTS[name];
  if (training !== undefined) {
    const flags = parseOriginalArgs(script, args, training.flags);
    const outDir = flags[training.folderFlag] as string | undefined;
    if (outDir === undefined)
      throw new UserError(
        `nnr original ${script}: pass --${training.folderFlag} DIR (the run folder to write)`,
      );
    return { kind: "train", config: resolveRunConfig(training.request(flags, script)), outDir };
  }
  const delegated = DELEGATED_SCRIPTS[name];
  if (delegated !== undefined) {
    const flags = parseOriginalArgs(script, args, delegated.flags);
    return { kind: "delegate", commands: delegated.commands(flags, script) };
  }
  throw new UserError(
    `nnr original: unknown script '${script}'; one of ${SCRIPT_NAMES.join(", ")}`,
  );
}

/**
 * `--model path/to/model.onnx`: an imported graph in a run, as configs and plans see it,
 * without loading libtorch: the file is read and checked when the config is resolved, so a
 * bad file is refused before a run folder exists. It has no recipe of its own, so the optimizer,
 * learning rate, batch size and epochs must be given; run.json's config records the file's
 * SHA-256, so runs of two different files never pool, and a replay or resume refuses a file
 * that has changed since (onnx-model.ts).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import type { ModelDescriptor } from "../contract/model-descriptor.js";
import { UserError } from "../errors.js";
import { modelDescriptor } from "../nn/models/index.js";
import { DEFAULT_INIT_RULE, type InitRule } from "../onnx/init-rules.js";
import { parseOnnxModel } from "../onnx/read-model.js";

export function isOnnxModelPath(model: string): boolean {
  return model.toLowerCase().endsWith(".onnx");
}

/**
 * The descriptor of an imported graph: no options, no input limits it can state before it is
 * built, and no recipe, so a run of it names every hyper-parameter it needs (recipes.ts).
 */
export function importedModelDescriptor(file: string): ModelDescriptor {
  return {
    name: file,
    displayName: basename(file),
    description: `the ONNX model ${basename(file)}`,
    options: {},
    input: {},
  };
}

/** The descriptor of a run's model: a zoo model's own, or an imported file's. */
export function runModelDescriptor(name: string): ModelDescriptor {
  return isOnnxModelPath(name) ? importedModelDescriptor(name) : modelDescriptor(name);
}

export function readModelFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch {
    throw new UserError(`${file}: no such model file; give the path of an .onnx file`);
  }
}

/** The file's SHA-256, once the reader has taken it (a bad file is refused in one line). */
export function modelFileSha256(file: string): string {
  const bytes = readModelFile(file);
  parseOnnxModel(bytes, file);
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * The config's `init`: an imported model's rule (the requested one, else the default); absent
 * for a zoo model, which draws its weights by its own recipe, so asking for one is refused.
 */
export function initRuleOf(model: string, requested: InitRule | undefined): InitRule | undefined {
  if (isOnnxModelPath(model)) return requested ?? DEFAULT_INIT_RULE;
  if (requested !== undefined) {
    throw new UserError(
      `--init ${requested} (init in a plan): only an imported .onnx model takes it; ${model} draws its weights by its own recipe, so drop it`,
    );
  }
  return undefined;
}

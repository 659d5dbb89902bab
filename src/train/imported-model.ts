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
import { UserError } from "../errors.js";
import { parseOnnxModel } from "../onnx/read-model.js";

export function isOnnxModelPath(model: string): boolean {
  return model.toLowerCase().endsWith(".onnx");
}

/** What a request for an imported model must give, with the flag that gives it. */
const REQUIRED: readonly [string, (r: OnnxRequest) => unknown][] = [
  ["--optimizer", (r) => r.optimizer?.name],
  ["--lr", (r) => r.optimizer?.lr],
  ["--batch-size", (r) => r.batchSize],
  ["--epochs", (r) => r.epochs],
];

interface OnnxRequest {
  optimizer?: { name?: string; lr?: number };
  batchSize?: number;
  epochs?: number;
}

/** Refuses, in one line naming every missing flag, a request that leaves one out. */
export function checkOnnxRequest(model: string, request: OnnxRequest): void {
  const missing = REQUIRED.filter(([, get]) => get(request) === undefined).map(([flag]) => flag);
  if (missing.length === 0) return;
  throw new UserError(
    `${model}: an imported model has no recipe of its own; give ${missing.join(", ")} (in a plan: optimizer, lr, batchSize, epochs)`,
  );
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

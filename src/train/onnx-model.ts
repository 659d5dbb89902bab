/**
 * `--model path/to/model.onnx`: an imported graph in a run. It has no recipe of its own, so
 * the optimizer, learning rate, batch size and epochs must be given; run.json's config records
 * the file's SHA-256, so runs of two different files never pool, and a replay or resume
 * refuses a file that has changed since.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { ImageShape } from "../data/types.js";
import { Generator, randint } from "../engine/index.js";
import { UserError } from "../errors.js";
import type { Model } from "../nn/index.js";
import { OnnxClassifier, readOnnxModel } from "../onnx/index.js";
import type { RunConfig } from "./config.js";

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

export function modelFileSha256(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch {
    throw new UserError(`${file}: no such model file; give the path of an .onnx file`);
  }
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * The imported classifier, with its exported weights (the init source is then fixed by the
 * file). Dropout draws from its own generator, seeded by one draw of the init generator.
 */
export function buildOnnxModel(
  config: RunConfig,
  inputShape: ImageShape,
  classes: number,
  init: Generator,
): Model {
  const sha256 = modelFileSha256(config.model);
  if (config.modelSha256 !== undefined && config.modelSha256 !== sha256) {
    throw new UserError(
      `${config.model}: the file has changed since the run was configured (SHA-256 ${sha256.slice(0, 12)}…, recorded ${config.modelSha256.slice(0, 12)}…); train the file that was recorded`,
    );
  }
  const draw = randint(0, 2 ** 31 - 1, [1], init, { dtype: "int64" });
  const dropoutSeed = draw.item();
  draw.dispose();
  const model = new OnnxClassifier(readOnnxModel(config.model), {
    classes,
    inputShape: [inputShape.channels, inputShape.height, inputShape.width],
    memoryFormat: config.memoryFormat,
    dropoutGenerator: new Generator(dropoutSeed, "dropout"),
  });
  if (config.memoryFormat === "channels_last") {
    model.toMemoryFormat("channels_last", config.layoutStrides ?? "canonical");
  }
  return model;
}

/** `--model path/to/model.onnx`: the imported graph built for a run (imported-model.ts). */
import { createHash } from "node:crypto";
import type { ImageShape } from "../data/types.js";
import type { Generator } from "../engine/index.js";
import { UserError } from "../errors.js";
import type { Model } from "../nn/index.js";
import { OnnxClassifier, parseOnnxModel } from "../onnx/index.js";
import type { RunConfig } from "./config.js";
import { readModelFile } from "./imported-model.js";

/**
 * The imported classifier: its weights the file's or drawn from the init generator by the
 * config's rule (a config recorded before `init` existed kept the file's), its Dropout masks
 * from the dropout source's generator.
 */
export function buildOnnxModel(
  config: RunConfig,
  inputShape: ImageShape,
  classes: number,
  generators: { readonly init: Generator; readonly dropout: Generator },
): Model {
  const bytes = readModelFile(config.model);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  if (config.modelSha256 !== undefined && config.modelSha256 !== sha256) {
    throw new UserError(
      `${config.model}: the file has changed since the run was configured (SHA-256 ${sha256.slice(0, 12)}…, recorded ${config.modelSha256.slice(0, 12)}…); train the file that was recorded`,
    );
  }
  const model = new OnnxClassifier(parseOnnxModel(bytes, config.model), {
    classes,
    inputShape: [inputShape.channels, inputShape.height, inputShape.width],
    memoryFormat: config.memoryFormat,
    dropoutGenerator: generators.dropout,
    init: { rule: config.init ?? "file", generator: generators.init },
  });
  if (config.memoryFormat === "channels_last") {
    model.toMemoryFormat("channels_last", config.layoutStrides ?? "canonical");
  }
  return model;
}

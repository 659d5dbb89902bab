/** `--model path/to/model.onnx`: the imported graph built for a run (imported-model.ts). */
import { createHash } from "node:crypto";
import type { ImageShape } from "../data/types.js";
import { Generator, randint } from "../engine/index.js";
import { UserError } from "../errors.js";
import type { Model } from "../nn/index.js";
import { OnnxClassifier, parseOnnxModel } from "../onnx/index.js";
import type { RunConfig } from "./config.js";
import { readModelFile } from "./imported-model.js";

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
  const bytes = readModelFile(config.model);
  const sha256 = createHash("sha256").update(bytes).digest("hex");
  if (config.modelSha256 !== undefined && config.modelSha256 !== sha256) {
    throw new UserError(
      `${config.model}: the file has changed since the run was configured (SHA-256 ${sha256.slice(0, 12)}…, recorded ${config.modelSha256.slice(0, 12)}…); train the file that was recorded`,
    );
  }
  const draw = randint(0, 2 ** 31 - 1, [1], init, { dtype: "int64" });
  const dropoutSeed = draw.item();
  draw.dispose();
  const model = new OnnxClassifier(parseOnnxModel(bytes, config.model), {
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

/**
 * An ONNX file in the overhead study (`--models FILE.onnx`): the imported graph as a
 * classifier with the file's weights, fed its own declared input shape (a free batch dim
 * takes --batch-size) and trained against its declared number of classes.
 */
import { Generator } from "../../engine/index.js";
import { UserError } from "../../errors.js";
import type { Model } from "../../nn/index.js";
import { OnnxClassifier, readOnnxModel } from "../../onnx/index.js";
import { graphInputShape } from "../onnx-input.js";
import type { OverheadSettings } from "./measure.js";

export function onnxStudyModel(file: string, settings: OverheadSettings): Model {
  const model = readOnnxModel(file);
  const [, c, h, w, ...more] = graphInputShape(model, settings.batchSize);
  const output = model.graph.outputs[0]!;
  const classes = output.shape?.[1];
  if (c === undefined || h === undefined || w === undefined || more.length > 0) {
    throw new UserError(`${file}: the graph's input is not a batch of images [N, C, H, W]`);
  }
  if (output.shape?.length !== 2 || typeof classes !== "number") {
    throw new UserError(
      `${file}: output '${output.name}' does not declare a [batch, classes] shape; export it with one`,
    );
  }
  const classifier = new OnnxClassifier(model, {
    classes,
    inputShape: [c, h, w],
    memoryFormat: settings.memoryFormat,
    dropoutGenerator: new Generator(settings.seed, "dropout"),
  });
  classifier.toMemoryFormat(settings.memoryFormat).toDevice(settings.device);
  return classifier;
}

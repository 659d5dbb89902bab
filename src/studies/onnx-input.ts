/** The input a study feeds an imported ONNX graph (audit, overhead): its declared shape. */
import { UserError } from "../errors.js";
import type { OnnxModel } from "../onnx/index.js";

/** The shape fed to the graph's one float input: its declared dims, a free first dim → batch. */
export function graphInputShape(model: OnnxModel, batch: number): number[] {
  const { inputs } = model.graph;
  if (inputs.length !== 1) {
    throw new UserError(
      `${model.file}: the graph takes ${inputs.length} inputs; the studies feed graphs with one`,
    );
  }
  const input = inputs[0]!;
  if (input.elementType !== 1 || input.shape === null || input.shape.length === 0) {
    throw new UserError(
      `${model.file}: input '${input.name}' is not a float32 tensor of a declared shape; export it with one`,
    );
  }
  return input.shape.map((dim, i) => {
    if (typeof dim === "number" && dim > 0) return dim;
    if (i === 0) return batch;
    throw new UserError(
      `${model.file}: input '${input.name}' leaves dim ${i} free ('${dim ?? "?"}'); export it with a fixed shape but for the batch`,
    );
  });
}

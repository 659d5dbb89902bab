/**
 * What an imported graph loses against the PyTorch module it came from, one line each, for
 * the run to say: BatchNormalization and Dropout exported in inference mode (an eval-mode
 * export) train as constants; and where the initial weights came from (init-rules.ts): by
 * default the file's, which fix the init source.
 */
import type { OnnxModel, OnnxNode } from "./graph-types.js";
import { initNote } from "./init-rules.js";

export function importNotes(
  model: OnnxModel,
  init: string = initNote(model.file, "file", []),
): string[] {
  const nodes = model.graph.nodes;
  const frozen = nodes.filter((n) => n.opType === "BatchNormalization" && !bnTrains(n, model));
  const inert = nodes.filter((n) => n.opType === "Dropout" && !dropoutTrains(n, model));
  const notes = [init];
  const hint =
    "export with training=torch.onnx.TrainingMode.TRAINING to train them as PyTorch does";
  if (frozen.length > 0) {
    notes.push(
      `${frozen.length} BatchNormalization node(s) were exported in inference mode: their running statistics stay frozen and normalise every batch; ${hint}`,
    );
  }
  if (inert.length > 0) {
    notes.push(
      `${inert.length} Dropout node(s) were exported in inference mode and drop nothing; ${hint}`,
    );
  }
  return notes;
}

function bnTrains(node: OnnxNode, model: OnnxModel): boolean {
  if (model.opset < 14) return node.outputs.slice(1).some((o) => o !== "");
  const mode = node.attributes.get("training_mode");
  return mode?.kind === "int" && mode.value !== 0;
}

/** Dropout trains where its training_mode input is a constant true. */
function dropoutTrains(node: OnnxNode, model: OnnxModel): boolean {
  const name = node.inputs[2] ?? "";
  if (name === "") return false;
  const initializer = model.graph.initializers.find((t) => t.name === name);
  if (initializer !== undefined) return Number(initializer.data[0] ?? 0) !== 0;
  const constant = model.graph.nodes.find((n) => n.opType === "Constant" && n.outputs[0] === name);
  const value = constant?.attributes.get("value");
  if (value?.kind === "tensor") return Number(value.value.data[0] ?? 0) !== 0;
  // Computed at run time: it may train; nothing to say.
  return true;
}

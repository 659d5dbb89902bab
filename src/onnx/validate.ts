/**
 * Refuses, before anything is built or trained, a graph nnr cannot run: an op it does not
 * have (one line naming the op, the node and the opset), or an optional output nnr does not
 * compute that the graph goes on to use.
 */
import { UserError } from "../errors.js";
import type { OnnxModel, OnnxNode } from "./graph-types.js";
import { OPS } from "./ops/index.js";

/** Outputs past the first that nnr does not compute, by op. */
const UNCOMPUTED_OUTPUTS: Readonly<Record<string, string>> = {
  MaxPool: "its indices",
};

/**
 * The opset from which each op has the definition nnr implements, where that is later than
 * the op's introduction: before it, Clip, Pad, Slice and Dropout took attributes where they
 * now take inputs, and Softmax flattened its input to 2-D.
 */
const DEFINED_FROM: Readonly<Record<string, number>> = {
  Clip: 11,
  Pad: 11,
  Slice: 10,
  Dropout: 12,
  Softmax: 13,
  LogSoftmax: 13,
};

export function validateGraph(model: OnnxModel): void {
  const used = usedValues(model);
  for (const node of model.graph.nodes) {
    checkSupported(node, model);
    const uncomputed = UNCOMPUTED_OUTPUTS[node.opType];
    if (uncomputed !== undefined && node.outputs.slice(1).some((o) => o !== "" && used.has(o))) {
      throw new UserError(
        `${model.file}: node '${node.name}' (${node.opType}, opset ${model.opset}) has ${uncomputed} used by the graph, which nnr does not compute; export without it`,
      );
    }
  }
  const unfed = model.graph.inputs.filter((i) => i.name === "");
  if (unfed.length > 0) throw new UserError(`${model.file}: the graph has an input with no name`);
}

function checkSupported(node: OnnxNode, model: OnnxModel): void {
  const from = DEFINED_FROM[node.opType] ?? 0;
  if (node.domain === "" && Object.hasOwn(OPS, node.opType) && model.opset >= from) return;
  const op = node.domain === "" ? node.opType : `${node.domain}.${node.opType}`;
  throw new UserError(
    `${model.file}: node '${node.name}' is ${op} (opset ${model.opset}), an op nnr does not support; docs/your-model.md lists those it does`,
  );
}

/** Every value some node reads or the graph returns. */
function usedValues(model: OnnxModel): Set<string> {
  const used = new Set(model.graph.outputs.map((o) => o.name));
  for (const node of model.graph.nodes) for (const input of node.inputs) used.add(input);
  return used;
}

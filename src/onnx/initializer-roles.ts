/**
 * What each initializer of a graph is in the module it becomes: a trainable parameter (a float
 * weight some op computes with), a buffer (BatchNormalization's running statistics) or a
 * constant (shapes, axes, bounds, scalars: values an op reads but PyTorch would not train).
 */
import type { OnnxGraph } from "./graph-types.js";
import type { OnnxTensor } from "./tensor-data.js";

export type InitializerRole = "parameter" | "buffer" | "constant";

/** Inputs (by op, by position) that hold settings rather than data to learn. */
const SETTING_INPUTS: Readonly<Record<string, readonly number[]>> = {
  Reshape: [1],
  Slice: [1, 2, 3, 4],
  Squeeze: [1],
  Unsqueeze: [1],
  Expand: [1],
  Pad: [1, 2, 3],
  Clip: [1, 2],
  Dropout: [1, 2],
  ConstantOfShape: [0],
  Split: [1],
  ReduceMean: [1],
  Gather: [1],
  Shape: [0],
  Where: [0],
};

const RUNNING_STATISTICS = [3, 4];

export function initializerRoles(graph: OnnxGraph): Map<string, InitializerRole> {
  const asData = new Set<string>();
  const asRunning = new Set<string>();
  for (const node of graph.nodes) {
    node.inputs.forEach((name, i) => {
      if (node.opType === "BatchNormalization" && RUNNING_STATISTICS.includes(i))
        asRunning.add(name);
      else if (!(SETTING_INPUTS[node.opType] ?? []).includes(i)) asData.add(name);
    });
  }
  const roles = new Map<string, InitializerRole>();
  for (const t of graph.initializers) roles.set(t.name, roleOf(t, asRunning, asData));
  return roles;
}

function roleOf(t: OnnxTensor, asRunning: Set<string>, asData: Set<string>): InitializerRole {
  if (asRunning.has(t.name)) return "buffer";
  const trainable = t.dtype === "float32" && t.dims.length > 0 && asData.has(t.name);
  return trainable ? "parameter" : "constant";
}

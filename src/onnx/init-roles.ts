/**
 * What each trainable initializer (and running statistic) of a graph is to the op that reads
 * it, as a framework's default initialiser needs to know: a weight with its fans, a bias with
 * its weight's fan_in, a norm's scale or shift, a running mean or variance. Read from the
 * graph alone: Conv's input 1 and 2, Gemm's B (with transB) and C, MatMul's B and the Add of
 * a bias after it (PyTorch's Linear on inputs of more than two dims), BatchNormalization's
 * and LayerNormalization's scale and shift, BatchNormalization's running statistics.
 */
import type { OnnxGraph, OnnxNode } from "./graph-types.js";

export type InitRole =
  | {
      readonly kind: "weight";
      readonly op: string;
      readonly fanIn: number;
      readonly fanOut: number;
    }
  | { readonly kind: "bias"; readonly op: string; readonly fanIn: number }
  | { readonly kind: "scale" | "shift" | "runningMean" | "runningVar"; readonly op: string };

type Dims = ReadonlyMap<string, readonly number[]>;
type Weight = Extract<InitRole, { kind: "weight" }>;

/** The role of every initializer an op reads as one of the above; the first op's wins. */
export function initRoles(graph: OnnxGraph): Map<string, InitRole> {
  const dims: Dims = new Map(graph.initializers.map((t) => [t.name, t.dims]));
  const roles = new Map<string, InitRole>();
  const set = (name: string | undefined, role: InitRole | null) => {
    if (name !== undefined && role !== null && dims.has(name) && !roles.has(name))
      roles.set(name, role);
  };
  const matMulWeights = new Map<string, Weight>();
  for (const node of graph.nodes) {
    for (const [input, role] of nodeRoles(node, dims)) set(input, role);
    const weight = node.opType === "MatMul" ? matMulWeight(node, dims) : null;
    if (weight !== null) matMulWeights.set(node.outputs[0] ?? "", weight);
  }
  for (const node of graph.nodes) {
    if (node.opType !== "Add") continue;
    const [bias, weight] = biasAfterMatMul(node, dims, matMulWeights);
    if (weight !== null) set(bias, { kind: "bias", op: "MatMul", fanIn: weight.fanIn });
  }
  return roles;
}

/** The roles one node gives its inputs, by position. */
function nodeRoles(node: OnnxNode, dims: Dims): [string | undefined, InitRole | null][] {
  const op = node.opType;
  switch (op) {
    case "Conv":
    case "Gemm": {
      const weight = op === "Conv" ? convWeight(node, dims) : gemmWeight(node, dims);
      const bias = weight === null ? null : { kind: "bias" as const, op, fanIn: weight.fanIn };
      return [
        [node.inputs[1], weight],
        [node.inputs[2], bias],
      ];
    }
    case "MatMul":
      return [[node.inputs[1], matMulWeight(node, dims)]];
    case "BatchNormalization":
      return [
        [node.inputs[1], { kind: "scale", op }],
        [node.inputs[2], { kind: "shift", op }],
        [node.inputs[3], { kind: "runningMean", op }],
        [node.inputs[4], { kind: "runningVar", op }],
      ];
    case "LayerNormalization":
      return [
        [node.inputs[1], { kind: "scale", op }],
        [node.inputs[2], { kind: "shift", op }],
      ];
    default:
      return [];
  }
}

/** Conv's W [out, in/groups, k…]: PyTorch's fans, fan_in = in/groups·∏k, fan_out = out·∏k. */
function convWeight(node: OnnxNode, dims: Dims): Weight | null {
  const shape = dims.get(node.inputs[1] ?? "");
  if (shape === undefined || shape.length < 3) return null;
  const field = shape.slice(2).reduce((a, b) => a * b, 1);
  return { kind: "weight", op: "Conv", fanIn: shape[1]! * field, fanOut: shape[0]! * field };
}

/** Gemm's B: [N, K] with transB (PyTorch's Linear weight), else [K, N]; fan_in = K. */
function gemmWeight(node: OnnxNode, dims: Dims): Weight | null {
  const shape = dims.get(node.inputs[1] ?? "");
  if (shape === undefined || shape.length !== 2) return null;
  const transB = node.attributes.get("transB");
  const transposed = transB?.kind === "int" && transB.value !== 0;
  const [k, n] = transposed ? [shape[1]!, shape[0]!] : [shape[0]!, shape[1]!];
  return { kind: "weight", op: "Gemm", fanIn: k, fanOut: n };
}

/** MatMul's B [K, N] (a Linear weight the exporter transposed): fan_in = K. */
function matMulWeight(node: OnnxNode, dims: Dims): Weight | null {
  const shape = dims.get(node.inputs[1] ?? "");
  if (shape === undefined || shape.length !== 2) return null;
  return { kind: "weight", op: "MatMul", fanIn: shape[0]!, fanOut: shape[1]! };
}

/** An Add of a MatMul's output and a 1-D initializer of its N: that MatMul's bias. */
function biasAfterMatMul(
  node: OnnxNode,
  dims: Dims,
  matMulWeights: ReadonlyMap<string, Weight>,
): [string | undefined, Weight | null] {
  const [a, b] = node.inputs;
  for (const [product, bias] of [
    [a, b],
    [b, a],
  ] as const) {
    const weight = matMulWeights.get(product ?? "");
    const shape = dims.get(bias ?? "");
    if (weight !== undefined && shape?.length === 1 && shape[0] === weight.fanOut)
      return [bias, weight];
  }
  return [undefined, null];
}

/**
 * Relu and a 2×2 max pooling that feed only each other run as one fused op (nn's
 * reluOfMaxPool: the zoo's SmallCNN and VGGs train with it), in either order: the two commute
 * (relu-pool.ts), and ReLU and its backward then touch a quarter of the elements. A PyTorch
 * CNN exports `max_pool2d(relu(x), 2)` as Relu → MaxPool; without this an imported SmallCNN
 * trains a fifth slower than the zoo's. The pair is fused only where the first node's output
 * goes nowhere else (no other node, not a graph output), so no value a caller sees changes.
 */
import type { OnnxAttribute, OnnxGraph, OnnxNode } from "./graph-types.js";

export interface FusedPair {
  /** Index of the pair's first node (skipped when run) and of its second (runs the pair). */
  readonly first: number;
  readonly second: number;
  /** The first node's input and the second node's output. */
  readonly input: string;
  readonly output: string;
}

const ints = (node: OnnxNode, name: string): readonly number[] | undefined => {
  const a: OnnxAttribute | undefined = node.attributes.get(name);
  return a?.kind === "ints" ? a.value : undefined;
};
const int = (node: OnnxNode, name: string, fallback: number): number => {
  const a = node.attributes.get(name);
  return a?.kind === "int" ? a.value : fallback;
};
const same = (xs: readonly number[] | undefined, value: number, length: number) =>
  xs !== undefined && xs.length === length && xs.every((x) => x === value);

/** MaxPool with a 2×2 window, stride 2, no padding, dilation 1, floor mode, no indices. */
function isMaxPool2x2(node: OnnxNode): boolean {
  if (node.opType !== "MaxPool" || node.domain !== "") return false;
  if (node.outputs.slice(1).some((o) => o !== "")) return false;
  const autoPad = node.attributes.get("auto_pad");
  const autoPadOk =
    autoPad === undefined ||
    (autoPad.kind === "string" && (autoPad.value === "NOTSET" || autoPad.value === "VALID"));
  const pads = ints(node, "pads");
  const dilations = ints(node, "dilations");
  return (
    autoPadOk &&
    same(ints(node, "kernel_shape"), 2, 2) &&
    same(ints(node, "strides"), 2, 2) &&
    (pads === undefined || same(pads, 0, 4)) &&
    (dilations === undefined || same(dilations, 1, 2)) &&
    int(node, "ceil_mode", 0) === 0 &&
    int(node, "storage_order", 0) === 0
  );
}

const isRelu = (node: OnnxNode) => node.opType === "Relu" && node.domain === "";

/** How many times each value is read: by a node's input or as a graph output. */
function readCounts(graph: OnnxGraph): Map<string, number> {
  const counts = new Map<string, number>();
  const read = (name: string) => counts.set(name, (counts.get(name) ?? 0) + 1);
  for (const node of graph.nodes) for (const name of node.inputs) if (name !== "") read(name);
  for (const output of graph.outputs) read(output.name);
  return counts;
}

/** The pairs to fuse, keyed by the index of their second node. */
export function reluPoolPairs(graph: OnnxGraph): Map<number, FusedPair> {
  const counts = readCounts(graph);
  const producer = new Map<string, number>();
  graph.nodes.forEach((node, i) => {
    for (const name of node.outputs) if (name !== "") producer.set(name, i);
  });
  const pairs = new Map<number, FusedPair>();
  const taken = new Set<number>();
  graph.nodes.forEach((second, j) => {
    const i = producer.get(second.inputs[0] ?? "");
    if (i === undefined || taken.has(i) || second.inputs.length !== 1) return;
    const first = graph.nodes[i]!;
    const kinds = [first, second].map((n) => (isRelu(n) ? "relu" : isMaxPool2x2(n) ? "pool" : ""));
    if (!(kinds.includes("relu") && kinds.includes("pool"))) return;
    const firstOutput = first.outputs[0] ?? "";
    if (first.outputs.slice(1).some((o) => o !== "") || counts.get(firstOutput) !== 1) return;
    taken.add(i).add(j);
    pairs.set(j, { first: i, second: j, input: first.inputs[0]!, output: second.outputs[0]! });
  });
  return pairs;
}

/** An ONNX model as plain data, after reading and checking (read-model.ts). */
import type { OnnxTensor } from "./tensor-data.js";

export type OnnxAttribute =
  | { readonly kind: "float"; readonly value: number }
  | { readonly kind: "int"; readonly value: number }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "tensor"; readonly value: OnnxTensor }
  | { readonly kind: "floats"; readonly value: readonly number[] }
  | { readonly kind: "ints"; readonly value: readonly number[] }
  | { readonly kind: "strings"; readonly value: readonly string[] }
  /** A subgraph (If, Loop, Scan): kept only to name it; no supported op takes one. */
  | { readonly kind: "graph"; readonly value: null };

export interface OnnxNode {
  /** The node's name, or `<opType>#<index>` when the exporter left it empty. */
  readonly name: string;
  readonly opType: string;
  /** "" for ONNX's default domain (ai.onnx). */
  readonly domain: string;
  /** Input value names; "" marks an omitted optional input. */
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes: ReadonlyMap<string, OnnxAttribute>;
}

export interface OnnxValueInfo {
  readonly name: string;
  /** ONNX's element type number (1 float32, 7 int64, …), 0 where not given. */
  readonly elementType: number;
  /** Dims: a number where fixed, a name (batch, …) or null where free; null when unknown. */
  readonly shape: readonly (number | string | null)[] | null;
}

export interface OnnxGraph {
  readonly name: string;
  readonly nodes: readonly OnnxNode[];
  readonly initializers: readonly OnnxTensor[];
  /** The graph's inputs that are not initializers: what a caller feeds. */
  readonly inputs: readonly OnnxValueInfo[];
  readonly outputs: readonly OnnxValueInfo[];
}

export interface OnnxModel {
  /** The file it was read from, named in every message about it. */
  readonly file: string;
  /** The version of ONNX's default operator set the graph uses. */
  readonly opset: number;
  readonly producer: string;
  readonly graph: OnnxGraph;
}

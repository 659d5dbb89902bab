/** A GraphProto as plain data: nodes with typed attributes, initializers decoded and checked. */
import { UserError } from "../errors.js";
import type { OnnxAttribute, OnnxGraph, OnnxNode, OnnxValueInfo } from "./graph-types.js";
import {
  type AttributeProto,
  AttributeType,
  type GraphProto,
  int64,
  type NodeProto,
  type ValueInfoProto,
} from "./proto.js";
import { decodeTensor, type TensorSource } from "./tensor-data.js";

export function decodeGraph(graph: GraphProto, source: TensorSource): OnnxGraph {
  const initializers = (graph.initializer ?? []).map((t) => decodeTensor(t, source));
  const initialized = new Set(initializers.map((t) => t.name));
  const inputs = (graph.input ?? []).map(valueInfo).filter((v) => !initialized.has(v.name));
  return {
    name: graph.name ?? "",
    nodes: (graph.node ?? []).map((n, i) => decodeNode(n, i, source)),
    initializers,
    inputs,
    outputs: (graph.output ?? []).map(valueInfo),
  };
}

function decodeNode(node: NodeProto, index: number, source: TensorSource): OnnxNode {
  const opType = node.opType ?? "";
  const name =
    node.name !== null && node.name !== undefined && node.name !== ""
      ? node.name
      : `${opType}#${index}`;
  const attributes = new Map<string, OnnxAttribute>();
  for (const attribute of node.attribute ?? []) {
    attributes.set(attribute.name ?? "", decodeAttribute(attribute, name, source));
  }
  return {
    name,
    opType,
    domain: node.domain === "ai.onnx" ? "" : (node.domain ?? ""),
    inputs: node.input ?? [],
    outputs: node.output ?? [],
    attributes,
  };
}

function decodeAttribute(a: AttributeProto, node: string, source: TensorSource): OnnxAttribute {
  const ints = (values: AttributeProto["ints"]) =>
    (values ?? []).map((v) => {
      const n = int64(v);
      if (n === null) {
        throw new UserError(
          `${source.file}: node '${node}' attribute '${a.name}' holds an integer past 2^53; the file is damaged`,
        );
      }
      return n;
    });
  const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString("utf8");
  switch (a.type) {
    case AttributeType.FLOAT:
      return { kind: "float", value: a.f ?? 0 };
    case AttributeType.INT:
      return { kind: "int", value: ints([a.i ?? 0])[0]! };
    case AttributeType.STRING:
      return { kind: "string", value: text(a.s) };
    case AttributeType.TENSOR:
      return { kind: "tensor", value: decodeTensor(a.t ?? {}, source) };
    case AttributeType.GRAPH:
      return { kind: "graph", value: null };
    case AttributeType.FLOATS:
      return { kind: "floats", value: a.floats ?? [] };
    case AttributeType.INTS:
      return { kind: "ints", value: ints(a.ints) };
    case AttributeType.STRINGS:
      return { kind: "strings", value: (a.strings ?? []).map(text) };
    default:
      throw new UserError(
        `${source.file}: node '${node}' attribute '${a.name}' has type ${a.type}, which nnr does not read; export with a standard ONNX exporter`,
      );
  }
}

function valueInfo(v: ValueInfoProto): OnnxValueInfo {
  const tensorType = v.type?.tensorType;
  const dims = tensorType?.shape?.dim;
  const shape =
    dims === null || dims === undefined
      ? null
      : dims.map((d) => {
          if (d.dimParam !== null && d.dimParam !== undefined && d.dimParam !== "")
            return d.dimParam;
          if (d.dimValue === null || d.dimValue === undefined) return null;
          return int64(d.dimValue);
        });
  return { name: v.name ?? "", elementType: tensorType?.elemType ?? 0, shape };
}

/** Small ONNX models built in code, for tests: no exporter needed. */
import type { onnx } from "onnx-proto";
import { encodeModel } from "../../src/onnx/proto.js";

export interface TensorSpec {
  name: string;
  dims: number[];
  /** ONNX element type: 1 float32, 7 int64, 11 float64. */
  dataType?: number;
  floats?: number[];
  raw?: Uint8Array;
  int64s?: number[];
  /** int32, uint8 and bool elements. */
  int32s?: number[];
  external?: { location: string; offset?: number; length?: number };
}

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  domain?: string;
  ints?: Record<string, number>;
  floatAttrs?: Record<string, number>;
  intLists?: Record<string, number[]>;
}

export interface ModelSpec {
  opset?: number;
  nodes: NodeSpec[];
  initializers?: TensorSpec[];
  inputs: { name: string; dims: number[] }[];
  outputs: string[];
}

export function tensorProto(t: TensorSpec): onnx.ITensorProto {
  const proto: onnx.ITensorProto = { name: t.name, dims: t.dims, dataType: t.dataType ?? 1 };
  if (t.floats !== undefined) proto.floatData = t.floats;
  if (t.int64s !== undefined) proto.int64Data = t.int64s;
  if (t.int32s !== undefined) proto.int32Data = t.int32s;
  if (t.raw !== undefined) proto.rawData = t.raw;
  if (t.external !== undefined) {
    proto.dataLocation = 1;
    proto.externalData = [
      { key: "location", value: t.external.location },
      ...(t.external.offset === undefined
        ? []
        : [{ key: "offset", value: String(t.external.offset) }]),
    ];
  }
  return proto;
}

function attributes(n: NodeSpec): onnx.IAttributeProto[] {
  return [
    ...Object.entries(n.ints ?? {}).map(([name, i]) => ({ name, type: 2, i })),
    ...Object.entries(n.floatAttrs ?? {}).map(([name, f]) => ({ name, type: 1, f })),
    ...Object.entries(n.intLists ?? {}).map(([name, ints]) => ({ name, type: 7, ints })),
  ];
}

const valueInfo = (name: string, dims: number[]): onnx.IValueInfoProto => ({
  name,
  type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => ({ dimValue: d })) } } },
});

export function modelBytes(spec: ModelSpec): Uint8Array {
  return encodeModel({
    irVersion: 8,
    producerName: "nnr-test",
    opsetImport: [{ domain: "", version: spec.opset ?? 17 }],
    graph: {
      name: "test",
      node: spec.nodes.map((n) => ({
        opType: n.op,
        input: n.inputs,
        output: n.outputs,
        name: n.name ?? "",
        domain: n.domain ?? "",
        attribute: attributes(n),
      })),
      initializer: (spec.initializers ?? []).map(tensorProto),
      input: spec.inputs.map((i) => valueInfo(i.name, i.dims)),
      output: spec.outputs.map((name) => valueInfo(name, [])),
    },
  });
}

/** Weights from a fixed linear congruential sequence in ±1/√fan_in, so the file fixes them. */
export function lcgWeights(count: number, fanIn: number, seed: number): number[] {
  let state = seed;
  return Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return ((state / 2 ** 31) * 2 - 1) / Math.sqrt(fanIn);
  });
}

/** A Linear as PyTorch exports it: Gemm(input, LAYER.weight, LAYER.bias) with transB. */
export function linearNode(layer: string, input: string, output: string, name = layer): NodeSpec {
  return {
    op: "Gemm",
    inputs: [input, `${layer}.weight`, `${layer}.bias`],
    outputs: [output],
    name,
    ints: { transB: 1 },
  };
}

/** y = x·Wᵀ + b through Gemm, with weights named as PyTorch names a Linear in a Sequential. */
export function linearModel(opset = 17): ModelSpec {
  return {
    opset,
    nodes: [
      {
        op: "Gemm",
        inputs: ["x", "fc.0.weight", "fc.0.bias"],
        outputs: ["y"],
        name: "fc/Gemm",
        ints: { transB: 1 },
      },
    ],
    initializers: [
      { name: "fc.0.weight", dims: [2, 3], floats: [1, 2, 3, 4, 5, 6] },
      { name: "fc.0.bias", dims: [2], floats: [0.5, -0.5] },
    ],
    inputs: [{ name: "x", dims: [1, 3] }],
    outputs: ["y"],
  };
}

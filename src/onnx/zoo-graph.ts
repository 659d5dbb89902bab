/**
 * Zoo models written as ONNX graphs, for `nnr export`: the ops the model's layers compute, in
 * the order nnr computes them, with the trained weights as initializers under their state-dict
 * names. SmallCNN is the one written so far (the demo's model); the others are refused by the
 * caller, which names what is supported.
 */
import { UserError } from "../errors.js";
import { KERAS_BATCH_NORM } from "../nn/index.js";
import { AttributeType, encodeModel } from "./proto.js";
import type { TrainedTensor } from "./write-model.js";

/** The zoo models `nnr export` writes. */
export const EXPORTABLE_ZOO_MODELS: readonly string[] = ["smallcnn"];

/** The opset the written graphs declare: PyTorch 2.x's default, in the range nnr reads. */
const OPSET = 17;

export interface ZooGraphSpec {
  readonly model: string;
  /** SmallCNN's BatchNorm after each convolution. */
  readonly batchNorm: boolean;
  /** The trained state dict's float tensors, by name. */
  readonly weights: ReadonlyMap<string, TrainedTensor>;
}

interface Node {
  op: string;
  name: string;
  inputs: string[];
  outputs: string[];
  ints?: Record<string, number | number[]>;
  floats?: Record<string, number>;
}

/** The zoo model as ONNX file bytes: input `input` [N, C, H, W], output `logits` [N, classes]. */
export function zooModelBytes(spec: ZooGraphSpec): Uint8Array {
  if (spec.model !== "smallcnn") {
    throw new UserError(`nnr writes no ONNX graph for the zoo model '${spec.model}'`);
  }
  const nodes = smallCnnNodes(spec.batchNorm);
  const used = [...new Set(nodes.flatMap((n) => n.inputs))].filter((n) => spec.weights.has(n));
  const channels = weight(spec, "conv1.weight").dims[1]!;
  return encodeModel({
    irVersion: 8,
    producerName: "nnr",
    opsetImport: [{ domain: "", version: OPSET }],
    graph: {
      name: spec.model,
      node: nodes.map(nodeProto),
      initializer: used.map((name) => tensorProto(name, weight(spec, name))),
      input: [valueInfo("input", ["N", channels, "H", "W"])],
      output: [valueInfo("logits", ["N", weight(spec, "fc2.weight").dims[0]!])],
    },
  });
}

function weight(spec: ZooGraphSpec, name: string): TrainedTensor {
  const found = spec.weights.get(name);
  if (found === undefined) {
    throw new UserError(
      `the checkpoint has no '${name}', which ${spec.model} holds; it is not a ${spec.model} checkpoint`,
    );
  }
  return found;
}

/**
 * SmallCNN (src/nn/models/small-cnn.ts): three blocks of Conv 3×3 "same" → BatchNorm (Keras's
 * epsilon) → MaxPool 2×2 → ReLU (nnr pools first: the same numbers, reluOfMaxPool), then the
 * global average, Dense 32, ReLU, Dense classes.
 */
function smallCnnNodes(batchNorm: boolean): Node[] {
  const nodes: Node[] = [];
  let x = "input";
  for (const i of [1, 2, 3]) {
    const conv = `conv${i}`;
    nodes.push({
      op: "Conv",
      name: conv,
      inputs: [x, `${conv}.weight`, `${conv}.bias`],
      outputs: [`${conv}.out`],
      ints: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [1, 1] },
    });
    x = `${conv}.out`;
    if (batchNorm) {
      const bn = `bn${i}`;
      const params = ["weight", "bias", "running_mean", "running_var"].map((p) => `${bn}.${p}`);
      nodes.push({
        op: "BatchNormalization",
        name: bn,
        inputs: [x, ...params],
        outputs: [`${bn}.out`],
        floats: { epsilon: KERAS_BATCH_NORM.eps },
        ints: { training_mode: 0 },
      });
      x = `${bn}.out`;
    }
    const pool = `pool${i}`;
    nodes.push({
      op: "MaxPool",
      name: pool,
      inputs: [x],
      outputs: [`${pool}.out`],
      ints: { kernel_shape: [2, 2], strides: [2, 2] },
    });
    nodes.push({
      op: "Relu",
      name: `relu${i}`,
      inputs: [`${pool}.out`],
      outputs: [`relu${i}.out`],
    });
    x = `relu${i}.out`;
  }
  return [...nodes, ...smallCnnHead(x)];
}

function smallCnnHead(x: string): Node[] {
  const gemm = (name: string, input: string, output: string): Node => ({
    op: "Gemm",
    name,
    inputs: [input, `${name}.weight`, `${name}.bias`],
    outputs: [output],
    ints: { transB: 1 },
  });
  return [
    { op: "GlobalAveragePool", name: "gap", inputs: [x], outputs: ["gap.out"] },
    { op: "Flatten", name: "flatten", inputs: ["gap.out"], outputs: ["flat"], ints: { axis: 1 } },
    gemm("fc1", "flat", "fc1.out"),
    { op: "Relu", name: "relu4", inputs: ["fc1.out"], outputs: ["relu4.out"] },
    gemm("fc2", "relu4.out", "logits"),
  ];
}

function nodeProto(n: Node) {
  const ints = Object.entries(n.ints ?? {}).map(([name, v]) =>
    Array.isArray(v)
      ? { name, type: AttributeType.INTS, ints: v }
      : { name, type: AttributeType.INT, i: v },
  );
  const floats = Object.entries(n.floats ?? {}).map(([name, f]) => ({
    name,
    type: AttributeType.FLOAT,
    f,
  }));
  return {
    opType: n.op,
    name: n.name,
    input: n.inputs,
    output: n.outputs,
    attribute: [...ints, ...floats],
  };
}

function tensorProto(name: string, t: TrainedTensor) {
  const { buffer, byteOffset, byteLength } = t.data;
  return {
    name,
    dims: [...t.dims],
    dataType: 1,
    rawData: new Uint8Array(buffer, byteOffset, byteLength).slice(),
  };
}

function valueInfo(name: string, dims: readonly (number | string)[]) {
  return {
    name,
    type: {
      tensorType: {
        elemType: 1,
        shape: {
          dim: dims.map((d) => (typeof d === "number" ? { dimValue: d } : { dimParam: d })),
        },
      },
    },
  };
}

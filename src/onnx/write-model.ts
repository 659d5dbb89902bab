/**
 * A model file written back out after training: the original graph, its initializers replaced
 * by the trained parameters and BatchNorm running statistics (same names), in inference form —
 * BatchNormalization with training_mode 0 and only its normalised output, Dropout without its
 * training_mode input — so onnxruntime or PyTorch evaluates it as nnr's eval mode does. Data the
 * original held as external files is written inline, so the export is one self-contained file.
 * The graph's inputs and outputs take any batch size, as nnr ran them in training (an exporter
 * often fixes the batch of the example it traced).
 */
import type { TypedArray } from "../engine/dtype.js";
import { UserError } from "../errors.js";
import type { OnnxModel } from "./graph-types.js";
import { initializerRoles } from "./initializer-roles.js";
import { MAX_MODEL_FILE_BYTES } from "./limits.js";
import { withOneLineErrors } from "./one-line.js";
import {
  AttributeType,
  decodeModel,
  encodeModel,
  type GraphProto,
  type NodeProto,
  type TensorProto,
} from "./proto.js";
import { parseOnnxModel } from "./read-model.js";

/** One trained tensor by its ONNX name: a float32 parameter or running statistic. */
export interface TrainedTensor {
  readonly dims: readonly number[];
  readonly data: Float32Array;
}

const FLOAT = 1;
const EXTERNAL = 1;

/**
 * The bytes of `file` (the model a run trained) with `trained` in place of its weights, in
 * inference form. Refuses in one line a checkpoint that does not fit the graph: a name the graph
 * lacks, a weight the checkpoint lacks, or a shape that differs.
 */
export function trainedModelBytes(
  bytes: Uint8Array,
  file: string,
  trained: ReadonlyMap<string, TrainedTensor>,
): Uint8Array {
  return withOneLineErrors(() => {
    const model = parseOnnxModel(bytes, file);
    checkCoverage(model, trained);
    const proto = decodeModel(bytes);
    const graph = proto.graph!;
    replaceInitializers(graph, model, trained);
    toInferenceForm(graph, model.opset);
    dropUnread(graph);
    freeBatch(graph);
    const out = encodeModel(proto);
    if (out.length > MAX_MODEL_FILE_BYTES) {
      throw new UserError(
        `${file}: the trained model takes ${out.length} bytes, more than one ONNX file can hold (2 GiB)`,
      );
    }
    return out;
  });
}

/** Every parameter and buffer of the graph is in the checkpoint, and nothing else is. */
function checkCoverage(model: OnnxModel, trained: ReadonlyMap<string, TrainedTensor>): void {
  const roles = initializerRoles(model.graph);
  const weights = [...roles].filter(([, role]) => role !== "constant").map(([name]) => name);
  const missing = weights.filter((name) => !trained.has(name));
  const extra = [...trained.keys()].filter((name) => !roles.has(name));
  if (missing.length > 0 || extra.length > 0) {
    const parts = [
      missing.length > 0 ? `the checkpoint lacks ${quoteFew(missing)}` : "",
      extra.length > 0 ? `the graph has no initializer ${quoteFew(extra)}` : "",
    ].filter((p) => p !== "");
    throw new UserError(
      `${model.file}: the trained weights do not fit this graph (${parts.join("; ")}); export the run with the model file it was trained from`,
    );
  }
}

function quoteFew(names: readonly string[]): string {
  const shown = names.slice(0, 3).map((n) => `'${n}'`);
  return names.length > 3 ? `${shown.join(", ")} and ${names.length - 3} more` : shown.join(", ");
}

/** Trained values in place of the file's; external data of the rest brought inline. */
function replaceInitializers(
  graph: GraphProto,
  model: OnnxModel,
  trained: ReadonlyMap<string, TrainedTensor>,
): void {
  const decoded = new Map(model.graph.initializers.map((t) => [t.name, t]));
  for (const t of graph.initializer ?? []) {
    const name = t.name ?? "";
    const value = trained.get(name);
    if (value !== undefined) {
      const dims = decoded.get(name)!.dims;
      if (t.dataType !== FLOAT || !sameDims(dims, value.dims)) {
        throw new UserError(
          `${model.file}: initializer '${name}' is [${dims.join(", ")}] in the graph, the trained weight [${value.dims.join(", ")}]; export the run with the model file it was trained from`,
        );
      }
      setRawData(t, value.data);
    } else if (t.dataLocation === EXTERNAL) {
      setRawData(t, decoded.get(name)!.data);
    }
  }
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The elements as raw little-endian bytes (the host's order, as the reader assumes). */
function setRawData(t: TensorProto, data: TypedArray): void {
  t.rawData = new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  t.floatData = [];
  t.int32Data = [];
  t.int64Data = [];
  t.doubleData = [];
  t.externalData = [];
  t.dataLocation = 0;
}

/**
 * The first dim of the graph's inputs and outputs named `N`, not fixed. The shapes recorded
 * for inner values go: they would hold the traced batch, and readers infer them again.
 */
function freeBatch(graph: GraphProto): void {
  for (const v of [...(graph.input ?? []), ...(graph.output ?? [])]) {
    const dims = v.type?.tensorType?.shape?.dim;
    const isInitializer = (graph.initializer ?? []).some((t) => t.name === v.name);
    if (dims === null || dims === undefined || dims.length === 0 || isInitializer) continue;
    dims[0] = { dimParam: "N" };
  }
  graph.valueInfo = [];
}

/**
 * Initializers no node reads any more (Dropout's training_mode flag, once its input is gone),
 * with their entries among the graph's inputs where an old exporter listed them there.
 */
function dropUnread(graph: GraphProto): void {
  const read = new Set([
    ...(graph.node ?? []).flatMap((n) => n.input ?? []),
    ...(graph.output ?? []).map((v) => v.name),
  ]);
  const unread = new Set(
    (graph.initializer ?? []).map((t) => t.name ?? "").filter((name) => !read.has(name)),
  );
  graph.initializer = (graph.initializer ?? []).filter((t) => !unread.has(t.name ?? ""));
  graph.input = (graph.input ?? []).filter((v) => !unread.has(v.name ?? ""));
}

/** BatchNormalization and Dropout as they infer. */
function toInferenceForm(graph: GraphProto, opset: number): void {
  for (const node of graph.node ?? []) {
    if (node.opType === "BatchNormalization") inferringBatchNorm(node, opset);
    if (node.opType === "Dropout" && (node.input ?? []).length > 2) {
      node.input = (node.input ?? []).slice(0, 2);
    }
  }
}

/** Normalises with the running statistics: training_mode 0 (from opset 14), one output. */
function inferringBatchNorm(node: NodeProto, opset: number): void {
  node.output = (node.output ?? []).slice(0, 1);
  const others = (node.attribute ?? []).filter((a) => a.name !== "training_mode");
  node.attribute =
    opset >= 14 ? [...others, { name: "training_mode", type: AttributeType.INT, i: 0 }] : others;
}

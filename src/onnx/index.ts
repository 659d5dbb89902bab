/** ONNX models: the reader, the checks, and the graph as an nnr Module. */

export { OnnxClassifier, type OnnxClassifierOptions } from "./classifier.js";
export { OnnxModule, type OnnxModuleOptions } from "./graph-module.js";
export type { OnnxGraph, OnnxModel, OnnxNode, OnnxValueInfo } from "./graph-types.js";
export { importNotes } from "./import-notes.js";
export { SUPPORTED_OPS } from "./ops/index.js";
export { fromOnnx as tensorFromOnnx } from "./ops/pad-reduce-constant.js";
export { MAX_OPSET, MIN_OPSET, parseOnnxModel, readOnnxModel } from "./read-model.js";
export { decodeTensor, type OnnxTensor } from "./tensor-data.js";
export { readTensorFile } from "./tensor-file.js";
export { validateGraph } from "./validate.js";
export { type TrainedTensor, trainedModelBytes } from "./write-model.js";
export { EXPORTABLE_ZOO_MODELS, zooModelBytes } from "./zoo-graph.js";

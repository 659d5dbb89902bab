/** The input pipeline: dataset readers, transforms and the seeded loader. */

export { deriveSeed, RandomStream, type RandomStreamState } from "../random/stream.js";
export type { BatchPlan } from "./batch-assembly.js";
export * from "./class-names.js";
export { type DataOptions, dataOptionsSchema, FORMAT_DATASETS } from "./data-options.js";
export { decoderInfo, type ResizeRule } from "./decode-image.js";
export { encodeIdx, parseIdx } from "./idx.js";
export {
  centerCropOffsets,
  cropImage,
  flipHorizontal,
  padImage,
  perImageStandardize,
  resizeBilinear,
  scaleToUnit,
} from "./image-ops.js";
export { DataLoader, type LoaderOptions, type LoaderRecord, type LoaderState } from "./loader.js";
export type { OrderState, ShuffleSpec } from "./order.js";
export {
  DATASET_NAMES,
  DATASETS,
  type DatasetFormat,
  type DatasetInfo,
  type DatasetName,
  detectFormat,
  isDatasetName,
  type LoadDatasetOptions,
  loadDataset,
  loadDatasetAsync,
  PIPELINES,
  type SplitName,
} from "./registry.js";
export { compilePipeline, type TransformSpec, transformSpecSchema } from "./transforms.js";
export type * from "./types.js";

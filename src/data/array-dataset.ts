/**
 * A dataset from plain arrays, whatever file they came from (NumPy, Parquet): the features'
 * shape read as images (N×C×H×W, N×H×W×C, N×H×W) or vectors (N×D), labels checked against
 * the class count, and the value scale taken from the dtype or the user's options.
 */
import type { DataOptions } from "./data-options.js";
import { dataFileError } from "./files.js";
import type { Dataset, DatasetSource, ImageShape } from "./types.js";

export type FeatureValues = Uint8Array | Float32Array;

export interface FeatureArray {
  values: FeatureValues;
  /** The array's shape as stored, examples first. */
  shape: number[];
  path: string;
}

export interface LabelArray {
  values: Int32Array;
  path: string;
}

/** C, H, W of one example and whether the stored order is channels-last, from the shape. */
export function exampleShape(
  feature: Pick<FeatureArray, "shape" | "path">,
  layout: DataOptions["layout"],
  remedy: string,
): { shape: ImageShape; channelsLast: boolean } {
  const rest = feature.shape.slice(1);
  const where = `shape (${feature.shape.join(", ")})`;
  if (rest.length === 1)
    return { shape: { channels: 1, height: 1, width: rest[0]! }, channelsLast: false };
  if (rest.length === 2) {
    return { shape: { channels: 1, height: rest[0]!, width: rest[1]! }, channelsLast: false };
  }
  if (rest.length !== 3) {
    throw dataFileError(
      feature.path,
      `${where}: nnr reads N×D vectors, N×H×W, N×C×H×W or N×H×W×C images`,
      remedy,
    );
  }
  const [a, b, c] = rest as [number, number, number];
  const channelLike = (n: number) => n === 1 || n === 3 || n === 4;
  const channelsLast =
    layout === undefined
      ? guessChannelsLast(a, c, channelLike, feature.path, where, remedy)
      : layout === "nhwc";
  return channelsLast
    ? { shape: { channels: c, height: a, width: b }, channelsLast }
    : { shape: { channels: a, height: b, width: c }, channelsLast };
}

function guessChannelsLast(
  first: number,
  last: number,
  channelLike: (n: number) => boolean,
  path: string,
  where: string,
  remedy: string,
): boolean {
  if (channelLike(first) && !channelLike(last)) return false;
  if (channelLike(last) && !channelLike(first)) return true;
  throw dataFileError(
    path,
    `${where} could be N×C×H×W or N×H×W×C; pass --layout nchw or --layout nhwc (dataOptions.layout in a plan)`,
    remedy,
  );
}

/** N×H×W×C to N×C×H×W, a copy of the same type. */
export function toChannelsFirst<T extends FeatureValues>(
  values: T,
  count: number,
  shape: ImageShape,
): T {
  const { channels, height, width } = shape;
  const plane = height * width;
  const perExample = channels * plane;
  const out = new (values.constructor as new (length: number) => T)(values.length);
  for (let n = 0; n < count; n++) {
    const base = n * perExample;
    for (let p = 0; p < plane; p++) {
      const source = base + p * channels;
      for (let ch = 0; ch < channels; ch++) out[base + ch * plane + p] = values[source + ch]!;
    }
  }
  return out;
}

/** The class count: the user's, checked against every label, or the largest label + 1. */
export function classCount(
  labelSets: LabelArray[],
  classes: number | undefined,
  remedy: string,
): number {
  let largest = -1;
  for (const { values, path } of labelSets) {
    for (let i = 0; i < values.length; i++) {
      const label = values[i]!;
      if (label < 0) throw dataFileError(path, `label ${label} at row ${i} is negative`, remedy);
      if (classes !== undefined && label >= classes) {
        throw dataFileError(
          path,
          `label ${label} at row ${i} is outside 0..${classes - 1} (--classes ${classes})`,
          remedy,
        );
      }
      if (label > largest) largest = label;
    }
  }
  return classes ?? largest + 1;
}

export interface ArraySplit {
  name: string;
  split: string;
  features: FeatureArray;
  labels: LabelArray;
  classes: number;
  classNames?: string[];
  options: DataOptions;
  source: DatasetSource;
  remedy: string;
}

/** The Dataset of one split: shapes checked, images channels-first, the scale decided. */
export function arrayDataset(input: ArraySplit): Dataset {
  const { features, labels, options, remedy } = input;
  const length = features.shape[0] ?? 0;
  if (labels.values.length !== length) {
    throw dataFileError(
      labels.path,
      `holds ${labels.values.length} labels but ${features.path} holds ${length} examples; both need one row per example`,
      remedy,
    );
  }
  if (length === 0) throw dataFileError(features.path, "holds no examples", remedy);
  const { shape, channelsLast } = exampleShape(features, options.layout, remedy);
  const pixels = channelsLast ? toChannelsFirst(features.values, length, shape) : features.values;
  const bytes = pixels instanceof Uint8Array;
  return {
    name: input.name,
    split: input.split,
    kind: "multiclass",
    length,
    shape,
    images: bytes ? { kind: "memory", pixels } : { kind: "floats", values: pixels },
    labels: labels.values,
    classNames: input.classNames ?? Array.from({ length: input.classes }, (_, k) => String(k)),
    source: input.source,
    valueScale: options.scale ?? (bytes ? 255 : 1),
    ...(features.shape.length === 2 ? { examples: "vectors" as const } : {}),
  };
}

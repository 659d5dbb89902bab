/** The in-memory shapes the readers produce and the loader consumes. */

import type { TaskKind } from "../contract/task.js";

export type { TaskKind };

/** One image, channels first (CHW), as every reader stores it. */
export interface ImageShape {
  channels: number;
  height: number;
  width: number;
}

/** The decoder that turned compressed images into pixels; decoders differ pixel for pixel. */
export interface DecoderInfo {
  name: "sharp";
  version: string;
  libvips: string;
  libjpeg: string;
  libpng: string;
  /** How images were brought to the stored size, e.g. "fill 128x128, linear kernel". */
  resize: string;
}

export interface SourceFile {
  path: string;
  bytes: number;
  /** SHA-256 of the file as stored on disk (still gzipped, if it was). */
  sha256: string;
}

/** Where a dataset came from: enough to tell two runs' data apart. */
export interface DatasetSource {
  format:
    | "idx"
    | "cifar10-binary"
    | "cifar100-binary"
    | "cifar10-python"
    | "cifar100-python"
    | "celeba"
    | "image-folder"
    | "npy"
    | "npz"
    | "parquet";
  root: string;
  /** Files read whole (hashed). Per-image files of CelebA and image folders are not listed. */
  files: SourceFile[];
  decoder?: DecoderInfo;
  /** Set when the data is not the full dataset (e.g. the committed Fashion-MNIST subset). */
  subset?: string;
}

/** All pixels decoded up front: N×C×H×W bytes. */
export interface InMemoryImages {
  kind: "memory";
  pixels: Uint8Array;
}

/** Float values held whole, N×C×H×W (NumPy arrays saved as float32). */
export interface InMemoryFloats {
  kind: "floats";
  values: Float32Array;
}

/** Pixels decoded on demand (CelebA, image folders): too large to hold decoded. */
export interface LazyImages {
  kind: "lazy";
  /** The image at `index`, C×H×W bytes at the dataset's shape. */
  read(index: number): Promise<Uint8Array>;
}

export interface Dataset {
  name: string;
  split: string;
  kind: TaskKind;
  length: number;
  shape: ImageShape;
  images: InMemoryImages | InMemoryFloats | LazyImages;
  /** multiclass: Int32Array [N] of class indices; multilabel: Uint8Array [N × classes] of 0/1. */
  labels: Int32Array | Uint8Array;
  /** Class names (multiclass) or attribute names (multilabel), in label order. */
  classNames: string[];
  source: DatasetSource;
  /**
   * "vectors" where each example is a vector of `shape.width` features (an N×D array), held
   * as 1×1×D; absent for images. Image transforms refuse vectors (vectors.ts).
   */
  examples?: "vectors";
  /**
   * What the `scale` transform divides by to bring values to [0, 1]; absent: 255 (bytes).
   * Float data already in [0, 1] has 1.
   */
  valueScale?: number;
}

/** One batch, ready for the engine to copy into tensors. */
export interface Batch {
  /** NCHW float32. */
  images: Float32Array;
  imageShape: [batch: number, channels: number, height: number, width: number];
  /** multiclass: Int32Array [batch]; multilabel: Uint8Array [batch × attributes]. */
  labels: Int32Array | Uint8Array;
  /** Dataset index of each example in the batch. */
  indices: Int32Array;
  /** 0-based epoch this batch belongs to, and its 0-based position in that epoch. */
  epoch: number;
  batchInEpoch: number;
  /** Set when this is one rank's slice: the examples of the global batch it was cut from. */
  globalExamples?: number;
}

/**
 * IDX files (MNIST, Fashion-MNIST), gzipped or raw.
 *
 * Layout: two zero bytes, a type code (0x08 = unsigned byte), the number of dimensions,
 * then each dimension as a big-endian uint32, then the data in row-major order.
 */
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { dataFileError, describeFile, exists, gunzipIfNeeded, readDataFile } from "./files.js";
import type { Dataset, SourceFile } from "./types.js";
import { takeUnpacked } from "./unpack-ahead.js";

const UNSIGNED_BYTE = 0x08;

export interface IdxArray {
  dims: number[];
  data: Uint8Array;
}

/** Parses IDX bytes (already gunzipped); `path` only names the file in errors. */
export function parseIdx(path: string, bytes: Uint8Array, remedy: string): IdxArray {
  if (bytes.length < 4) {
    throw dataFileError(
      path,
      `truncated: ${bytes.length} bytes, shorter than an IDX header`,
      remedy,
    );
  }
  const magic = ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
  const magicHex = `0x${magic.toString(16).padStart(8, "0")}`;
  if (bytes[0] !== 0 || bytes[1] !== 0 || bytes[3] === 0) {
    throw dataFileError(
      path,
      `wrong magic number ${magicHex}: not an IDX file (expected 0x00000801 for labels, 0x00000803 for images)`,
      remedy,
    );
  }
  if (bytes[2] !== UNSIGNED_BYTE) {
    throw dataFileError(
      path,
      `IDX element type 0x${bytes[2]!.toString(16).padStart(2, "0")} is not supported (only 0x08, unsigned byte)`,
      remedy,
    );
  }
  const rank = bytes[3]!;
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw dataFileError(path, `truncated: the header of ${rank} dimensions is cut off`, remedy);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  for (let d = 0; d < rank; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const expected = dims.reduce((product, size) => product * size, 1);
  const actual = bytes.length - headerBytes;
  const shape = dims.join("×");
  if (actual < expected) {
    throw dataFileError(
      path,
      `truncated: header says ${shape} (${expected} bytes of data) but the file holds ${actual}`,
      remedy,
    );
  }
  if (actual > expected) {
    throw dataFileError(
      path,
      `${actual - expected} unexpected bytes after the ${shape} data the header describes`,
      remedy,
    );
  }
  // A plain Uint8Array view, never a Buffer: the pixel loops then see one array type for
  // every dataset, and V8 keeps them monomorphic (a mix of Buffer and Uint8Array halves
  // the loader's throughput).
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerBytes, expected) };
}

/** Reads and parses one IDX file, gzipped or not. */
export function readIdxFile(path: string, remedy: string): { array: IdxArray; file: SourceFile } {
  const raw = readDataFile(path, remedy);
  const file = describeFile(path, raw);
  const bytes = takeUnpacked(path, file.sha256) ?? gunzipIfNeeded(path, raw, remedy);
  return { array: parseIdx(path, bytes, remedy), file };
}

/** IDX bytes for an unsigned-byte array; gzipped when asked. Used by tests and the subset script. */
export function encodeIdx(dims: readonly number[], data: Uint8Array, gzip = false): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = UNSIGNED_BYTE;
  header[3] = dims.length;
  dims.forEach((size, d) => {
    header.writeUInt32BE(size, 4 + 4 * d);
  });
  const bytes = Buffer.concat([header, data]);
  return gzip ? gzipSync(bytes, { level: 9 }) : bytes;
}

/**
 * The file of one IDX part in `dir`, trying the names the datasets ship under: the
 * gzipped download, the unpacked file, and MNIST's original dotted spelling.
 */
export function findIdxFile(
  dir: string,
  prefix: string,
  part: "images-idx3" | "labels-idx1",
): string | undefined {
  const dotted = part.replace("-", ".");
  const candidates = [
    `${prefix}-${part}-ubyte.gz`,
    `${prefix}-${part}-ubyte`,
    `${prefix}-${dotted}-ubyte.gz`,
    `${prefix}-${dotted}-ubyte`,
  ];
  return candidates.map((name) => join(dir, name)).find(exists);
}

/** The files of both IDX splits (`train-*`, `t10k-*`) that `dir` holds. */
export function idxFilesIn(dir: string): string[] {
  const parts = ["images-idx3", "labels-idx1"] as const;
  return ["train", "t10k"]
    .flatMap((prefix) => parts.map((part) => findIdxFile(dir, prefix, part)))
    .filter((path): path is string => path !== undefined);
}

export interface IdxDatasetOptions {
  name: string;
  split: "train" | "test";
  dir: string;
  classNames: string[];
  /** What to tell the user to do when a file is missing or bad. */
  remedy: string;
}

/** An IDX image/label pair (`train-*` or `t10k-*`) as a single-channel dataset. */
export function loadIdxDataset(options: IdxDatasetOptions): Dataset {
  const { dir, split, remedy, classNames } = options;
  const prefix = split === "train" ? "train" : "t10k";
  const imagesPath = findIdxFile(dir, prefix, "images-idx3");
  const labelsPath = findIdxFile(dir, prefix, "labels-idx1");
  if (imagesPath === undefined || labelsPath === undefined) {
    const missing = imagesPath === undefined ? "images-idx3" : "labels-idx1";
    throw dataFileError(
      dir,
      `missing split "${split}": no ${prefix}-${missing}-ubyte(.gz) in this folder`,
      remedy,
    );
  }
  const images = readIdxFile(imagesPath, remedy);
  const labels = readIdxFile(labelsPath, remedy);
  if (images.array.dims.length !== 3) {
    throw dataFileError(
      imagesPath,
      `expected 3 dimensions (images × rows × columns), found ${images.array.dims.length}`,
      remedy,
    );
  }
  if (labels.array.dims.length !== 1) {
    throw dataFileError(
      labelsPath,
      `expected 1 dimension (labels), found ${labels.array.dims.length}`,
      remedy,
    );
  }
  const [count, height, width] = images.array.dims as [number, number, number];
  if (labels.array.dims[0] !== count) {
    throw dataFileError(
      labelsPath,
      `holds ${labels.array.dims[0]} labels but ${imagesPath} holds ${count} images`,
      remedy,
    );
  }
  const labelValues = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = labels.array.data[i]!;
    if (label >= classNames.length) {
      throw dataFileError(
        labelsPath,
        `label ${label} at index ${i} is outside 0..${classNames.length - 1}`,
        remedy,
      );
    }
    labelValues[i] = label;
  }
  return {
    name: options.name,
    split,
    kind: "multiclass",
    length: count,
    shape: { channels: 1, height, width },
    images: { kind: "memory", pixels: images.array.data },
    labels: labelValues,
    classNames,
    source: { format: "idx", root: dir, files: [images.file, labels.file] },
  };
}

/**
 * NumPy arrays as a dataset: `train_x.npy`, `train_y.npy`, `test_x.npy`, `test_y.npy` as
 * `np.save` writes them, or one `.npz` holding those four keys (`np.savez`, stored or
 * deflated). Features are uint8 or float32 in any layout array-dataset.ts reads; labels are
 * integers. A file is read once; uint8 features laid out N×C×H×W (and aligned float32 ones)
 * are used in place, a view of the file's bytes, not copied.
 */
import { join } from "node:path";
import { FileFormatError, printable } from "../io/errors.js";
import { descrBytes, type NpyHeader, parseNpyHeader } from "../io/npy.js";
import { listZip, readZipEntry } from "../io/zip.js";
import { arrayDataset, classCount, type FeatureArray, type LabelArray } from "./array-dataset.js";
import type { DataOptions } from "./data-options.js";
import { dataFileError, describeFile, exists, readDataFile, sortedEntries } from "./files.js";
import type { Dataset, SourceFile } from "./types.js";

export const NPY_REMEDY =
  "save train_x.npy, train_y.npy, test_x.npy and test_y.npy with np.save (or one .npz with those keys with np.savez); see docs/data.md";

const FEATURE_DTYPES = "uint8 (|u1) or float32 (<f4)";
const LABEL_DTYPES = "integers (|u1, |i1, <u2, <i2, <u4, <i4, <u8, <i8)";

type Split = "train" | "test";

/** One array's bytes and header, and the file it came from. */
interface NpyBlob {
  bytes: Uint8Array;
  header: NpyHeader;
  path: string;
}

export function npyBlob(bytes: Uint8Array, path: string): NpyBlob {
  try {
    return { bytes, header: parseNpyHeader(bytes, path), path };
  } catch (error) {
    if (error instanceof FileFormatError)
      throw dataFileError(path, error.message.slice(path.length + 2), NPY_REMEDY);
    throw error;
  }
}

/** The feature values, a view where the bytes allow it; refuses other dtypes. */
export function featureArray(blob: NpyBlob): FeatureArray {
  const { bytes, header, path } = blob;
  // A plain Uint8Array view, never a Buffer: the pixel loops slow to half with both kinds
  // (docs/data.md, Throughput).
  const data = new Uint8Array(
    bytes.buffer,
    bytes.byteOffset + header.dataStart,
    bytes.length - header.dataStart,
  );
  const shape = header.shape;
  if (shape.length < 2) {
    throw dataFileError(
      path,
      `shape (${shape.join(", ")}): features need one row per example and at least one value each`,
      NPY_REMEDY,
    );
  }
  if (header.descr === "|u1" || header.descr === "<u1") return { values: data, shape, path };
  if (header.descr === "<f4") {
    const aligned = data.byteOffset % 4 === 0 ? data : new Uint8Array(data);
    return {
      values: new Float32Array(aligned.buffer, aligned.byteOffset, header.count),
      shape,
      path,
    };
  }
  throw dataFileError(
    path,
    `dtype ${printable(header.descr)} is not one nnr takes for features: it takes ${FEATURE_DTYPES}; convert with x.astype(np.float32)`,
    NPY_REMEDY,
  );
}

/** Integer labels of any width, as Int32Array, each checked to fit. */
export function labelArray(blob: NpyBlob): LabelArray {
  const { bytes, header, path } = blob;
  const match = /^[<|]([iu])(\d)$/.exec(header.descr);
  const width = descrBytes(header.descr);
  const shape = header.shape;
  if (match === null || width === undefined) {
    throw dataFileError(
      path,
      `dtype ${printable(header.descr)} is not one nnr takes for labels: it takes ${LABEL_DTYPES}; convert with y.astype(np.int64)`,
      NPY_REMEDY,
    );
  }
  if (shape.length === 0 || shape.length > 2 || (shape.length === 2 && shape[1] !== 1)) {
    throw dataFileError(
      path,
      `shape (${shape.join(", ")}): labels need shape (N,) or (N, 1), one class index per example`,
      NPY_REMEDY,
    );
  }
  const view = new DataView(
    bytes.buffer,
    bytes.byteOffset + header.dataStart,
    header.count * width,
  );
  const signed = match[1] === "i";
  const values = new Int32Array(header.count);
  for (let i = 0; i < header.count; i++) {
    const value = readInteger(view, i * width, width, signed);
    if (value < 0 || value > 2 ** 31 - 1) {
      throw dataFileError(
        path,
        `label ${value} at row ${i} is not a class index (0 or more)`,
        NPY_REMEDY,
      );
    }
    values[i] = value;
  }
  return { values, path };
}

function readInteger(view: DataView, at: number, width: number, signed: boolean): number {
  switch (width) {
    case 1:
      return signed ? view.getInt8(at) : view.getUint8(at);
    case 2:
      return signed ? view.getInt16(at, true) : view.getUint16(at, true);
    case 4:
      return signed ? view.getInt32(at, true) : view.getUint32(at, true);
    default:
      return Number(signed ? view.getBigInt64(at, true) : view.getBigUint64(at, true));
  }
}

/** Where the arrays of a folder are: four .npy files, or one .npz. */
interface NpySource {
  format: "npy" | "npz";
  files: SourceFile[];
  blob(key: string): NpyBlob;
}

const KEYS = ["train_x", "train_y", "test_x", "test_y"];

function npyFiles(dir: string): NpySource {
  const files: SourceFile[] = [];
  const blobs = new Map<string, NpyBlob>();
  return {
    format: "npy",
    files,
    blob(key) {
      const cached = blobs.get(key);
      if (cached !== undefined) return cached;
      const path = join(dir, `${key}.npy`);
      const bytes = readDataFile(path, NPY_REMEDY);
      files.push(describeFile(path, bytes));
      const blob = npyBlob(bytes, path);
      blobs.set(key, blob);
      return blob;
    },
  };
}

function npzFile(path: string): NpySource {
  const bytes = readDataFile(path, NPY_REMEDY);
  let entries: ReturnType<typeof listZip>;
  try {
    entries = listZip(bytes, path);
  } catch (error) {
    if (error instanceof FileFormatError)
      throw dataFileError(path, error.message.slice(path.length + 2), NPY_REMEDY);
    throw error;
  }
  return {
    format: "npz",
    files: [describeFile(path, bytes)],
    blob(key) {
      const entry = entries.find((e) => e.name === `${key}.npy`);
      if (entry === undefined) {
        throw dataFileError(
          path,
          `has no array "${key}" (it holds ${entries.map((e) => printable(e.name.replace(/\.npy$/, ""))).join(", ") || "nothing"})`,
          NPY_REMEDY,
        );
      }
      const where = `${path}[${key}]`;
      try {
        return npyBlob(readZipEntry(bytes, path, entry), where);
      } catch (error) {
        if (error instanceof FileFormatError && error.path === path)
          throw dataFileError(path, error.message.slice(path.length + 2), NPY_REMEDY);
        throw error;
      }
    },
  };
}

/** The folder's arrays: the four .npy files where they are, else its one .npz. */
function openNpyFolder(dir: string): NpySource {
  if (KEYS.some((key) => exists(join(dir, `${key}.npy`)))) return npyFiles(dir);
  const archives = sortedEntries(dir).filter((name) => name.endsWith(".npz"));
  if (archives.length === 1) return npzFile(join(dir, archives[0]!));
  if (archives.length > 1) {
    throw dataFileError(
      dir,
      `holds ${archives.length} .npz files (${archives.join(", ")}); keep one`,
      NPY_REMEDY,
    );
  }
  throw dataFileError(dir, "holds neither train_x.npy … test_y.npy nor a .npz file", NPY_REMEDY);
}

/**
 * Reads one split. Labels of both splits are read, so the class count is the same for both
 * whichever split is loaded.
 */
export function loadNpyDataset(dir: string, split: Split, options: DataOptions): Dataset {
  const source = openNpyFolder(dir);
  const labelsOf = (key: Split) => labelArray(source.blob(`${key}_y`));
  const labels = labelsOf(split);
  const other = labelsOf(split === "train" ? "test" : "train");
  const classes = classCount([labels, other], options.classes, NPY_REMEDY);
  const features = featureArray(source.blob(`${split}_x`));
  return arrayDataset({
    name: "npy",
    split,
    features,
    labels,
    classes,
    options,
    source: { format: source.format, root: dir, files: source.files },
    remedy: NPY_REMEDY,
  });
}

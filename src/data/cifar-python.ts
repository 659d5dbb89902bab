/**
 * CIFAR-10 and CIFAR-100, python version: the folders torchvision downloads
 * (`cifar-10-batches-py/`, `cifar-100-python/`), pickled dicts read by the restricted
 * unpickler (io/pickle.ts). Each batch holds `data`, a uint8 array N×3072 in the binary
 * version's pixel order (1024 red, 1024 green, 1024 blue), and `labels` (CIFAR-10) or
 * `fine_labels` and `coarse_labels` (CIFAR-100). The Dataset equals the binary version's byte
 * for byte; only `source` says which files it came from.
 */
import { join } from "node:path";
import { FileFormatError, printable } from "../io/errors.js";
import { type PickleArray, type PickleValue, unpickle } from "../io/pickle.js";
import type { Cifar100LabelKind } from "./cifar.js";
import { CIFAR10_CLASSES, CIFAR100_COARSE_CLASSES, CIFAR100_FINE_CLASSES } from "./class-names.js";
import { dataFileError, describeFile, exists, readDataFile } from "./files.js";
import type { Dataset, SourceFile } from "./types.js";

const PIXELS = 3 * 32 * 32;

export const CIFAR10_PYTHON_FOLDER = "cifar-10-batches-py";
export const CIFAR100_PYTHON_FOLDER = "cifar-100-python";

/** The folder holding the pickles: `dir` itself or torchvision's folder inside it. */
export function cifarPythonDir(dir: string, folder: string, probe: string): string | null {
  if (exists(join(dir, probe))) return dir;
  if (exists(join(dir, folder, probe))) return join(dir, folder);
  return null;
}

function readPickle(
  path: string,
  remedy: string,
): { value: Map<string, PickleValue>; file: SourceFile } {
  const bytes = readDataFile(path, remedy);
  let value: PickleValue;
  try {
    value = unpickle(bytes, path);
  } catch (error) {
    if (error instanceof FileFormatError)
      throw dataFileError(path, error.message.slice(path.length + 2), remedy);
    throw error;
  }
  if (!(value instanceof Map))
    throw dataFileError(path, "does not hold a dict (not a CIFAR python batch)", remedy);
  return { value, file: describeFile(path, bytes) };
}

function field(
  batch: Map<string, PickleValue>,
  key: string,
  path: string,
  remedy: string,
): PickleValue {
  if (!batch.has(key))
    throw dataFileError(path, `has no "${key}" entry (not a CIFAR python batch)`, remedy);
  return batch.get(key)!;
}

function pixelsOf(batch: Map<string, PickleValue>, path: string, remedy: string): Uint8Array {
  const data = field(batch, "data", path, remedy) as PickleArray;
  const ok =
    data !== null &&
    typeof data === "object" &&
    "kind" in data &&
    data.kind === "ndarray" &&
    data.descr === "|u1" &&
    data.shape.length === 2 &&
    data.shape[1] === PIXELS;
  if (!ok) throw dataFileError(path, `"data" is not a uint8 array of N×${PIXELS}`, remedy);
  return data.data;
}

function labelsOf(
  batch: Map<string, PickleValue>,
  key: string,
  classes: number,
  path: string,
  remedy: string,
): number[] {
  const labels = field(batch, key, path, remedy);
  if (!Array.isArray(labels)) throw dataFileError(path, `"${key}" is not a list`, remedy);
  return labels.map((label, row) => {
    if (typeof label !== "number" || !Number.isInteger(label) || label < 0 || label >= classes) {
      throw dataFileError(
        path,
        `${key} entry ${row} (${printable(String(label))}) is outside 0..${classes - 1}`,
        remedy,
      );
    }
    return label;
  });
}

/** Class names from the meta pickle where present, else the published list. */
function classNamesOf(path: string, key: string, fallback: string[], remedy: string): string[] {
  if (!exists(path)) return fallback;
  const names = field(readPickle(path, remedy).value, key, path, remedy);
  if (!Array.isArray(names) || names.length !== fallback.length) {
    throw dataFileError(path, `"${key}" is not a list of ${fallback.length} names`, remedy);
  }
  return names.map((name) =>
    typeof name === "string"
      ? name
      : name instanceof Uint8Array
        ? Buffer.from(name).toString("latin1")
        : String(name),
  );
}

interface Batches {
  pixels: Uint8Array;
  labels: Int32Array;
  files: SourceFile[];
}

function readBatches(
  paths: string[],
  labelKey: string,
  checks: { key: string; classes: number }[],
  remedy: string,
): Batches {
  const parts = paths.map((path) => {
    if (!exists(path)) throw dataFileError(path, "file not found", remedy);
    const { value, file } = readPickle(path, remedy);
    const pixels = pixelsOf(value, path, remedy);
    const lists = new Map(
      checks.map(({ key, classes }) => [key, labelsOf(value, key, classes, path, remedy)]),
    );
    const labels = lists.get(labelKey)!;
    if (labels.length * PIXELS !== pixels.length) {
      throw dataFileError(
        path,
        `holds ${pixels.length / PIXELS} images but ${labels.length} labels`,
        remedy,
      );
    }
    return { pixels, labels, file };
  });
  const total = parts.reduce((sum, part) => sum + part.labels.length, 0);
  const pixels = new Uint8Array(total * PIXELS);
  const labels = new Int32Array(total);
  let at = 0;
  for (const part of parts) {
    pixels.set(part.pixels, at * PIXELS);
    labels.set(part.labels, at);
    at += part.labels.length;
  }
  return { pixels, labels, files: parts.map((part) => part.file) };
}

function dataset(
  name: string,
  split: string,
  batches: Batches,
  classNames: string[],
  format: "cifar10-python" | "cifar100-python",
  root: string,
): Dataset {
  return {
    name,
    split,
    kind: "multiclass",
    length: batches.labels.length,
    shape: { channels: 3, height: 32, width: 32 },
    images: { kind: "memory", pixels: batches.pixels },
    labels: batches.labels,
    classNames,
    source: { format, root, files: batches.files },
  };
}

export function loadCifar10Python(root: string, split: "train" | "test", remedy: string): Dataset {
  const names = split === "train" ? [1, 2, 3, 4, 5].map((k) => `data_batch_${k}`) : ["test_batch"];
  const batches = readBatches(
    names.map((n) => join(root, n)),
    "labels",
    [{ key: "labels", classes: 10 }],
    remedy,
  );
  const classNames = classNamesOf(
    join(root, "batches.meta"),
    "label_names",
    CIFAR10_CLASSES,
    remedy,
  );
  return dataset("cifar10", split, batches, classNames, "cifar10-python", root);
}

export function loadCifar100Python(
  root: string,
  split: "train" | "test",
  labelKind: Cifar100LabelKind,
  remedy: string,
): Dataset {
  const labelKey = `${labelKind}_labels`;
  const checks = [
    { key: "coarse_labels", classes: 20 },
    { key: "fine_labels", classes: 100 },
  ];
  const batches = readBatches([join(root, split)], labelKey, checks, remedy);
  const fallback = labelKind === "fine" ? CIFAR100_FINE_CLASSES : CIFAR100_COARSE_CLASSES;
  const classNames = classNamesOf(join(root, "meta"), `${labelKind}_label_names`, fallback, remedy);
  const name = labelKind === "fine" ? "cifar100" : "cifar100-coarse";
  return dataset(name, split, batches, classNames, "cifar100-python", root);
}

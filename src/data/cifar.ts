/**
 * CIFAR-10 and CIFAR-100, binary version.
 *
 * CIFAR-10: `data_batch_1.bin` … `data_batch_5.bin` and `test_batch.bin`, records of one
 * label byte and 3072 pixel bytes (1024 red, 1024 green, 1024 blue; rows top to bottom),
 * already channels-first. CIFAR-100: `train.bin` and `test.bin`, records of a coarse label
 * byte, a fine label byte, then the same 3072 pixel bytes.
 */
import { join } from "node:path";
import { CIFAR10_CLASSES, CIFAR100_COARSE_CLASSES, CIFAR100_FINE_CLASSES } from "./class-names.js";
import { dataFileError, describeFile, exists, readDataFile } from "./files.js";
import type { Dataset, SourceFile } from "./types.js";

const PIXELS = 3 * 32 * 32;
const SHAPE = { channels: 3, height: 32, width: 32 };

export type Cifar100LabelKind = "fine" | "coarse";

/** The folder holding the .bin files: `dir` itself or the archive's top folder inside it. */
function resolveCifarDir(dir: string, archiveFolder: string, probe: string): string {
  const nested = join(dir, archiveFolder);
  if (!exists(join(dir, probe)) && exists(join(nested, probe))) return nested;
  return dir;
}

/** Class names from the archive's names file when present, else the published list. */
function readClassNames(path: string, fallback: string[], remedy: string): string[] {
  if (!exists(path)) return fallback;
  const names = readDataFile(path, remedy)
    .toString("utf8")
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  if (names.length !== fallback.length) {
    throw dataFileError(
      path,
      `lists ${names.length} class names, expected ${fallback.length}`,
      remedy,
    );
  }
  return names;
}

interface RecordLayout {
  recordBytes: number;
  /** Offset of the label byte used, within a record. */
  labelOffset: number;
  /** Offsets of every label byte with its class count, all range-checked. */
  labelChecks: { offset: number; classes: number; name: string }[];
}

function readRecords(
  paths: string[],
  layout: RecordLayout,
  remedy: string,
): { pixels: Uint8Array; labels: Int32Array; files: SourceFile[] } {
  const buffers = paths.map((path) => {
    const bytes = readDataFile(path, remedy);
    if (bytes.length === 0 || bytes.length % layout.recordBytes !== 0) {
      const whole = Math.floor(bytes.length / layout.recordBytes);
      throw dataFileError(
        path,
        `truncated or not a CIFAR binary file: ${bytes.length} bytes is not a whole number of ${layout.recordBytes}-byte records (${whole} whole records)`,
        remedy,
      );
    }
    return { path, bytes };
  });
  const total = buffers.reduce((sum, { bytes }) => sum + bytes.length / layout.recordBytes, 0);
  const pixels = new Uint8Array(total * PIXELS);
  const labels = new Int32Array(total);
  let example = 0;
  for (const { path, bytes } of buffers) {
    const records = bytes.length / layout.recordBytes;
    for (let r = 0; r < records; r++, example++) {
      const base = r * layout.recordBytes;
      for (const check of layout.labelChecks) {
        const value = bytes[base + check.offset]!;
        if (value >= check.classes) {
          throw dataFileError(
            path,
            `${check.name} label ${value} in record ${r} is outside 0..${check.classes - 1}`,
            remedy,
          );
        }
      }
      labels[example] = bytes[base + layout.labelOffset]!;
      const pixelStart = base + layout.recordBytes - PIXELS;
      pixels.set(bytes.subarray(pixelStart, pixelStart + PIXELS), example * PIXELS);
    }
  }
  return { pixels, labels, files: buffers.map(({ path, bytes }) => describeFile(path, bytes)) };
}

function requireFiles(dir: string, names: string[], split: string, remedy: string): string[] {
  const paths = names.map((name) => join(dir, name));
  const missing = paths.find((path) => !exists(path));
  if (missing !== undefined) {
    throw dataFileError(missing, `missing split "${split}": file not found`, remedy);
  }
  return paths;
}

export function loadCifar10(dir: string, split: "train" | "test", remedy: string): Dataset {
  const root = resolveCifarDir(dir, "cifar-10-batches-bin", "test_batch.bin");
  const names =
    split === "train" ? [1, 2, 3, 4, 5].map((k) => `data_batch_${k}.bin`) : ["test_batch.bin"];
  const paths = requireFiles(root, names, split, remedy);
  const classNames = readClassNames(join(root, "batches.meta.txt"), CIFAR10_CLASSES, remedy);
  const layout: RecordLayout = {
    recordBytes: 1 + PIXELS,
    labelOffset: 0,
    labelChecks: [{ offset: 0, classes: 10, name: "class" }],
  };
  const records = readRecords(paths, layout, remedy);
  return cifarDataset("cifar10", split, records, classNames, "cifar10-binary", root);
}

/** The Dataset both CIFAR readers return: in-memory 3×32×32 images, one class per example. */
function cifarDataset(
  name: string,
  split: "train" | "test",
  records: ReturnType<typeof readRecords>,
  classNames: string[],
  format: "cifar10-binary" | "cifar100-binary",
  root: string,
): Dataset {
  const { pixels, labels, files } = records;
  return {
    name,
    split,
    kind: "multiclass",
    length: labels.length,
    shape: { ...SHAPE },
    images: { kind: "memory", pixels },
    labels,
    classNames,
    source: { format, root, files },
  };
}

export function loadCifar100(
  dir: string,
  split: "train" | "test",
  labelKind: Cifar100LabelKind,
  remedy: string,
): Dataset {
  const root = resolveCifarDir(dir, "cifar-100-binary", "test.bin");
  const paths = requireFiles(root, [`${split}.bin`], split, remedy);
  const classNames =
    labelKind === "fine"
      ? readClassNames(join(root, "fine_label_names.txt"), CIFAR100_FINE_CLASSES, remedy)
      : readClassNames(join(root, "coarse_label_names.txt"), CIFAR100_COARSE_CLASSES, remedy);
  const layout: RecordLayout = {
    recordBytes: 2 + PIXELS,
    labelOffset: labelKind === "fine" ? 1 : 0,
    labelChecks: [
      { offset: 0, classes: 20, name: "coarse" },
      { offset: 1, classes: 100, name: "fine" },
    ],
  };
  const records = readRecords(paths, layout, remedy);
  const name = labelKind === "fine" ? "cifar100" : "cifar100-coarse";
  return cifarDataset(name, split, records, classNames, "cifar100-binary", root);
}

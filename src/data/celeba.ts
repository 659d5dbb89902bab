/**
 * CelebA (aligned and cropped): `img_align_celeba/*.jpg`, `list_attr_celeba.txt` (a count,
 * the 40 attribute names, then one line per image of ±1 values) and
 * `list_eval_partition.txt` (image name, then 0 = train, 1 = validation, 2 = test).
 * Images are decoded on demand and resized to 128×128; labels are stored as 0/1.
 */
import { join } from "node:path";
import { decodeImageFile, decoderInfo, type ResizeRule } from "./decode-image.js";
import { dataFileError, describeFile, isDirectory, readDataFile } from "./files.js";
import type { Dataset } from "./types.js";

export type CelebaSplit = "train" | "val" | "test";

const PARTITION_OF_SPLIT: Record<CelebaSplit, number> = { train: 0, val: 1, test: 2 };
const ATTRIBUTES = 40;

export interface CelebaOptions {
  dir: string;
  split: CelebaSplit;
  /** Side of the square images; the experiments use 128. */
  imageSize: number;
  remedy: string;
}

function lines(text: string): string[] {
  return text.split(/\r?\n/).filter((line) => line.trim().length > 0);
}

interface Attributes {
  names: string[];
  files: string[];
  values: Uint8Array;
}

export function parseAttributes(path: string, text: string, remedy: string): Attributes {
  const all = lines(text);
  const declared = Number(all[0]?.trim());
  if (!Number.isInteger(declared) || declared < 0) {
    throw dataFileError(path, `line 1 should be the image count, found "${all[0] ?? ""}"`, remedy);
  }
  const names = (all[1] ?? "").trim().split(/\s+/);
  if (names.length !== ATTRIBUTES) {
    throw dataFileError(
      path,
      `line 2 names ${names.length} attributes, expected ${ATTRIBUTES}`,
      remedy,
    );
  }
  const rows = all.slice(2);
  if (rows.length !== declared) {
    throw dataFileError(
      path,
      `header says ${declared} images but ${rows.length} rows follow`,
      remedy,
    );
  }
  const files: string[] = [];
  const values = new Uint8Array(rows.length * ATTRIBUTES);
  rows.forEach((row, r) => {
    const fields = row.trim().split(/\s+/);
    if (fields.length !== ATTRIBUTES + 1) {
      throw dataFileError(
        path,
        `line ${r + 3} has ${fields.length - 1} values, expected ${ATTRIBUTES}`,
        remedy,
      );
    }
    files.push(fields[0]!);
    for (let a = 0; a < ATTRIBUTES; a++) {
      const field = fields[a + 1];
      if (field !== "1" && field !== "-1") {
        throw dataFileError(
          path,
          `line ${r + 3}: value "${field}" for ${names[a]} is not 1 or -1`,
          remedy,
        );
      }
      values[r * ATTRIBUTES + a] = field === "1" ? 1 : 0;
    }
  });
  return { names, files, values };
}

export function parsePartition(path: string, text: string, remedy: string): Map<string, number> {
  const partition = new Map<string, number>();
  lines(text).forEach((row, r) => {
    const [file, value, ...extra] = row.trim().split(/\s+/);
    if (
      file === undefined ||
      (value !== "0" && value !== "1" && value !== "2") ||
      extra.length > 0
    ) {
      throw dataFileError(
        path,
        `line ${r + 1} should be "<image> 0|1|2", found "${row.trim()}"`,
        remedy,
      );
    }
    partition.set(file, Number(value));
  });
  return partition;
}

export function loadCeleba(options: CelebaOptions): Dataset {
  const { dir, split, remedy, imageSize } = options;
  const imageDir = join(dir, "img_align_celeba");
  if (!isDirectory(imageDir)) {
    throw dataFileError(imageDir, "folder not found", remedy);
  }
  const attrPath = join(dir, "list_attr_celeba.txt");
  const partitionPath = join(dir, "list_eval_partition.txt");
  const attrBytes = readDataFile(attrPath, remedy);
  const partitionBytes = readDataFile(partitionPath, remedy);
  const attributes = parseAttributes(attrPath, attrBytes.toString("utf8"), remedy);
  const partition = parsePartition(partitionPath, partitionBytes.toString("utf8"), remedy);

  const wanted = PARTITION_OF_SPLIT[split];
  const chosen: number[] = [];
  attributes.files.forEach((file, row) => {
    const part = partition.get(file);
    if (part === undefined) {
      throw dataFileError(
        partitionPath,
        `no partition for ${file} (listed in ${attrPath})`,
        remedy,
      );
    }
    if (part === wanted) chosen.push(row);
  });
  if (chosen.length === 0) {
    throw dataFileError(
      partitionPath,
      `missing split "${split}": no image has partition ${wanted}`,
      remedy,
    );
  }

  const labels = new Uint8Array(chosen.length * ATTRIBUTES);
  const files = chosen.map((row, i) => {
    labels.set(
      attributes.values.subarray(row * ATTRIBUTES, (row + 1) * ATTRIBUTES),
      i * ATTRIBUTES,
    );
    return attributes.files[row]!;
  });
  const rule: ResizeRule = { kind: "fill", width: imageSize, height: imageSize };
  return {
    name: "celeba",
    split,
    kind: "multilabel",
    length: files.length,
    shape: { channels: 3, height: imageSize, width: imageSize },
    images: {
      kind: "lazy",
      read: (index) => decodeImageFile(join(imageDir, files[index]!), rule, remedy),
    },
    labels,
    classNames: attributes.names,
    source: {
      format: "celeba",
      root: dir,
      files: [describeFile(attrPath, attrBytes), describeFile(partitionPath, partitionBytes)],
      decoder: decoderInfo(rule),
    },
  };
}

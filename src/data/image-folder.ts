/**
 * ImageNet-style image folders: `<root>/<split>/<class>/<image>.{jpg,jpeg,png}`.
 * Classes are the train split's sub-folders in code-point order (so class indices do not
 * depend on the locale or the file system); images within a class are in the same order.
 * Images are decoded on demand: ImageNet does not fit in memory decoded.
 */
import { extname, join } from "node:path";
import { decodeImageFile, decoderInfo, type ResizeRule } from "./decode-image.js";
import { dataFileError, isDirectory, sortedEntries } from "./files.js";
import type { Dataset } from "./types.js";

const IMAGE_EXTENSIONS = new Set([".jpg", ".jpeg", ".png"]);

export interface ImageFolderOptions {
  dir: string;
  split: "train" | "val";
  /** Side of the square crop; 224 for ResNet50. */
  imageSize: number;
  /** Shorter side before the centre crop; 256 for a 224 crop, the usual ImageNet evaluation. */
  resizeShorterTo: number;
  remedy: string;
}

function classFolders(splitDir: string): string[] {
  return sortedEntries(splitDir).filter((entry) => isDirectory(join(splitDir, entry)));
}

export function loadImageFolder(options: ImageFolderOptions): Dataset {
  const { dir, split, remedy, imageSize } = options;
  const trainDir = join(dir, "train");
  const splitDir = join(dir, split);
  if (!isDirectory(splitDir)) {
    throw dataFileError(splitDir, `missing split "${split}": folder not found`, remedy);
  }
  if (!isDirectory(trainDir)) {
    throw dataFileError(trainDir, "folder not found (its sub-folders define the classes)", remedy);
  }
  const classNames = classFolders(trainDir);
  if (classNames.length === 0) {
    throw dataFileError(trainDir, "has no class sub-folders", remedy);
  }
  const classIndex = new Map(classNames.map((name, index) => [name, index]));
  const paths: string[] = [];
  const labelList: number[] = [];
  for (const className of classFolders(splitDir)) {
    const label = classIndex.get(className);
    if (label === undefined) {
      throw dataFileError(
        join(splitDir, className),
        `class "${className}" has no folder in ${trainDir}`,
        remedy,
      );
    }
    const classDir = join(splitDir, className);
    for (const entry of sortedEntries(classDir)) {
      if (!IMAGE_EXTENSIONS.has(extname(entry).toLowerCase())) continue;
      paths.push(join(classDir, entry));
      labelList.push(label);
    }
  }
  if (paths.length === 0) {
    throw dataFileError(
      splitDir,
      `missing split "${split}": no .jpg, .jpeg or .png images`,
      remedy,
    );
  }
  const rule: ResizeRule = {
    kind: "shorter-side-center-crop",
    shorterSide: options.resizeShorterTo,
    width: imageSize,
    height: imageSize,
  };
  return {
    name: "imagenet",
    split,
    kind: "multiclass",
    length: paths.length,
    shape: { channels: 3, height: imageSize, width: imageSize },
    images: { kind: "lazy", read: (index) => decodeImageFile(paths[index]!, rule, remedy) },
    labels: Int32Array.from(labelList),
    classNames,
    source: { format: "image-folder", root: dir, files: [], decoder: decoderInfo(rule) },
  };
}

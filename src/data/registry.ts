/**
 * Datasets by name, with where to find them and their per-dataset defaults. Nothing is
 * downloaded: every dataset is read from a local folder.
 */
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../errors.js";
import { loadCeleba } from "./celeba.js";
import { loadCifar10, loadCifar100 } from "./cifar.js";
import {
  CIFAR10_PYTHON_FOLDER,
  CIFAR100_PYTHON_FOLDER,
  cifarPythonDir,
  loadCifar10Python,
  loadCifar100Python,
} from "./cifar-python.js";
import { FASHION_MNIST_CLASSES, MNIST_CLASSES } from "./class-names.js";
import type { DataOptions } from "./data-options.js";
import { DATASET_NAMES, type DatasetName } from "./dataset-names.js";
import { exists, isDirectory } from "./files.js";
import { idxFilesIn, loadIdxDataset } from "./idx.js";
import { loadImageFolder } from "./image-folder.js";
import { loadNpyDataset, NPY_REMEDY } from "./npy-dataset.js";
import { PARQUET_REMEDY } from "./parquet-dataset.js";
import { loadParquetDataset } from "./parquet-isolated.js";
import type { TransformSpec } from "./transforms.js";
import type { Dataset, DatasetSource } from "./types.js";

export { DATASET_NAMES, type DatasetName };
export type SplitName = "train" | "test" | "val";

/** Where Debian's `dataset-fashion-mnist` package installs the files. */
export const SYSTEM_FASHION_MNIST_DIR = "/usr/share/datasets/fashion-mnist";

/** The committed subset (first 2,000 train and 1,000 test examples), for machines without the package. */
export const FASHION_MNIST_SUBSET_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  "..",
  "..",
  "data",
  "fashion-mnist-subset",
);

export type DatasetFormat = DatasetSource["format"];

export interface DatasetInfo {
  splits: SplitName[];
  /** The split a run evaluates on and writes predictions for. */
  evalSplit: SplitName;
  /** The on-disk formats this dataset is read from; the folder's files decide which. */
  formats: DatasetFormat[];
  /** What to tell the user when the folder is missing or wrong. */
  remedy: string;
}

export const DATASETS: Record<DatasetName, DatasetInfo> = {
  "fashion-mnist": {
    splits: ["train", "test"],
    evalSplit: "test",
    formats: ["idx"],
    remedy:
      "install Debian's dataset-fashion-mnist package or pass --data-dir with train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz",
  },
  mnist: {
    splits: ["train", "test"],
    evalSplit: "test",
    formats: ["idx"],
    remedy: "pass --data-dir with the four MNIST IDX files (train-*, t10k-*; gzipped or not)",
  },
  cifar10: {
    splits: ["train", "test"],
    evalSplit: "test",
    formats: ["cifar10-binary", "cifar10-python"],
    remedy:
      "pass --data-dir with the CIFAR-10 binary version (data_batch_1.bin … data_batch_5.bin, test_batch.bin)",
  },
  cifar100: {
    splits: ["train", "test"],
    evalSplit: "test",
    formats: ["cifar100-binary", "cifar100-python"],
    remedy: "pass --data-dir with the CIFAR-100 binary version (train.bin, test.bin)",
  },
  celeba: {
    splits: ["train", "val", "test"],
    evalSplit: "test",
    formats: ["celeba"],
    remedy:
      "pass --data-dir with img_align_celeba/, list_attr_celeba.txt and list_eval_partition.txt",
  },
  imagenet: {
    splits: ["train", "val"],
    evalSplit: "val",
    formats: ["image-folder"],
    remedy: "pass --data-dir with train/<class>/*.jpg and val/<class>/*.jpg",
  },
  npy: {
    splits: ["train", "test"],
    evalSplit: "test",
    formats: ["npy", "npz"],
    remedy: NPY_REMEDY,
  },
  parquet: {
    splits: ["train", "test"],
    evalSplit: "test",
    formats: ["parquet"],
    remedy: PARQUET_REMEDY,
  },
};

export interface LoadDatasetOptions {
  split: SplitName;
  /** The folder to read; Fashion-MNIST falls back to the system folder, then the committed subset. */
  dataDir?: string;
  /** CIFAR-100 only: fine (100 classes, default) or coarse (20 superclasses) labels. */
  cifar100Labels?: "fine" | "coarse";
  /** CelebA (default 128) and ImageNet (default 224): side of the stored square images. */
  imageSize?: number;
  /** NumPy and Parquet data: scale, classes and layout where the data cannot say. */
  dataOptions?: DataOptions;
  /** Receives one-line notices (e.g. "using the committed subset"); default: stderr. */
  notify?: (message: string) => void;
}

export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}

function requireDataDir(name: DatasetName, dataDir: string | undefined): string {
  if (dataDir === undefined) {
    throw new UserError(`dataset ${name} needs a data folder: ${DATASETS[name].remedy}`);
  }
  if (!isDirectory(dataDir)) {
    throw new UserError(`${dataDir}: data folder not found; ${DATASETS[name].remedy}`);
  }
  return dataDir;
}

/** Picks the Fashion-MNIST folder: the one asked for, else the system package, else the subset. */
export function resolveFashionMnistDir(
  dataDir: string | undefined,
  notify: (message: string) => void,
  systemDir = SYSTEM_FASHION_MNIST_DIR,
): { dir: string; subset: boolean } {
  if (dataDir !== undefined)
    return { dir: requireDataDir("fashion-mnist", dataDir), subset: false };
  if (exists(join(systemDir, "train-images-idx3-ubyte.gz"))) {
    return { dir: systemDir, subset: false };
  }
  if (isDirectory(FASHION_MNIST_SUBSET_DIR)) {
    notify(
      `nnr: Fashion-MNIST not found at ${systemDir}; using the committed subset (2,000 train, 1,000 test examples). For the full set, ${DATASETS["fashion-mnist"].remedy}.`,
    );
    return { dir: FASHION_MNIST_SUBSET_DIR, subset: true };
  }
  throw new UserError(
    `Fashion-MNIST not found at ${systemDir}; ${DATASETS["fashion-mnist"].remedy}`,
  );
}

/**
 * The files a dataset of this name reads whole at start-up and that may be gzipped: those
 * worth unpacking ahead (src/data/unpack-ahead.ts). Empty where none is known without
 * reading the dataset, or where the folder is missing (loading then says so).
 */
export function wholeFilesOf(name: DatasetName, dataDir: string | undefined): string[] {
  try {
    if (name === "fashion-mnist") return idxFilesIn(resolveFashionMnistDir(dataDir, () => {}).dir);
    if (name === "mnist" && dataDir !== undefined && isDirectory(dataDir))
      return idxFilesIn(dataDir);
  } catch {
    // No folder: loadDataset reports it in its own words.
  }
  return [];
}

/**
 * The format of a dataset's folder: the one its entry lists, or for CIFAR, the python
 * version where the folder holds torchvision's pickles and not the binary files.
 */
export function detectFormat(name: DatasetName, dir: string): DatasetFormat {
  const formats = DATASETS[name].formats;
  if (
    name === "cifar10" &&
    !exists(join(dir, "test_batch.bin")) &&
    !isDirectory(join(dir, "cifar-10-batches-bin"))
  ) {
    if (cifarPythonDir(dir, CIFAR10_PYTHON_FOLDER, "test_batch") !== null) return "cifar10-python";
  }
  if (
    name === "cifar100" &&
    !exists(join(dir, "test.bin")) &&
    !isDirectory(join(dir, "cifar-100-binary"))
  ) {
    if (cifarPythonDir(dir, CIFAR100_PYTHON_FOLDER, "test") !== null) return "cifar100-python";
  }
  return formats[0]!;
}

/** Reads one split of a dataset whose reader is synchronous (every format but Parquet). */
export function loadDataset(name: DatasetName, options: LoadDatasetOptions): Dataset {
  const split = checkSplit(name, options.split);
  const notify = options.notify ?? ((message: string) => console.error(message));
  const info = DATASETS[name];
  if (name === "fashion-mnist") {
    const { dir, subset } = resolveFashionMnistDir(options.dataDir, notify);
    const dataset = loadIdxDataset({
      name,
      split: split as "train" | "test",
      dir,
      classNames: FASHION_MNIST_CLASSES,
      remedy: info.remedy,
    });
    if (subset)
      dataset.source.subset = "committed subset: first 2,000 train and 1,000 test examples";
    return dataset;
  }
  const dir = requireDataDir(name, options.dataDir);
  const format = detectFormat(name, dir);
  if (format === "parquet") {
    throw new UserError(`dataset ${name} is read asynchronously; use loadDatasetAsync`);
  }
  return FORMAT_READERS[format]({ name, dir, split, options, remedy: info.remedy });
}

/** Reads one split of any dataset, Parquet included. */
export async function loadDatasetAsync(
  name: DatasetName,
  options: LoadDatasetOptions,
): Promise<Dataset> {
  if (name !== "parquet") return loadDataset(name, options);
  const split = checkSplit(name, options.split);
  return loadParquetDataset(
    requireDataDir(name, options.dataDir),
    split as "train" | "test",
    options.dataOptions ?? {},
  );
}

function checkSplit(name: DatasetName, split: SplitName): SplitName {
  const info = DATASETS[name];
  if (!info.splits.includes(split)) {
    throw new UserError(
      `dataset ${name} has no split "${split}"; its splits are ${info.splits.join(", ")}`,
    );
  }
  return split;
}

const CIFAR10_PYTHON_REMEDY =
  "pass --data-dir with torchvision's CIFAR-10 python version (cifar-10-batches-py: data_batch_1 … data_batch_5, test_batch, batches.meta) or the binary version";
const CIFAR100_PYTHON_REMEDY =
  "pass --data-dir with torchvision's CIFAR-100 python version (cifar-100-python: train, test, meta) or the binary version";

interface FormatRequest {
  name: DatasetName;
  dir: string;
  split: SplitName;
  options: LoadDatasetOptions;
  remedy: string;
}

/** One reader per on-disk format; the datasets above are entries over these. */
const FORMAT_READERS: Record<
  Exclude<DatasetFormat, "parquet">,
  (request: FormatRequest) => Dataset
> = {
  idx: ({ name, dir, split, remedy }) =>
    loadIdxDataset({
      name,
      split: split as "train" | "test",
      dir,
      classNames: MNIST_CLASSES,
      remedy,
    }),
  "cifar10-binary": ({ dir, split, remedy }) => loadCifar10(dir, split as "train" | "test", remedy),
  "cifar10-python": ({ dir, split }) =>
    loadCifar10Python(
      cifarPythonDir(dir, CIFAR10_PYTHON_FOLDER, "test_batch")!,
      split as "train" | "test",
      CIFAR10_PYTHON_REMEDY,
    ),
  "cifar100-binary": ({ dir, split, options, remedy }) =>
    loadCifar100(dir, split as "train" | "test", options.cifar100Labels ?? "fine", remedy),
  "cifar100-python": ({ dir, split, options }) =>
    loadCifar100Python(
      cifarPythonDir(dir, CIFAR100_PYTHON_FOLDER, "test")!,
      split as "train" | "test",
      options.cifar100Labels ?? "fine",
      CIFAR100_PYTHON_REMEDY,
    ),
  celeba: ({ dir, split, options, remedy }) =>
    loadCeleba({
      dir,
      split: split as "train" | "val" | "test",
      imageSize: options.imageSize ?? 128,
      remedy,
    }),
  "image-folder": ({ dir, split, options, remedy }) => {
    const imageSize = options.imageSize ?? 224;
    return loadImageFolder({
      dir,
      split: split as "train" | "val",
      imageSize,
      resizeShorterTo: Math.round((imageSize * 256) / 224),
      remedy,
    });
  },
  npy: ({ dir, split, options }) =>
    loadNpyDataset(dir, split as "train" | "test", options.dataOptions ?? {}),
  npz: ({ dir, split, options }) =>
    loadNpyDataset(dir, split as "train" | "test", options.dataOptions ?? {}),
};

/**
 * The input pipelines of the original experiments. The model decides which applies:
 * SmallCNN scales to [0, 1] without augmentation; ResNet18 on CIFAR pads by 4, crops 32×32
 * at random and flips at random, then standardizes each image; CelebA standardizes.
 */
export const PIPELINES = {
  scale: [{ op: "scale" }],
  standardize: [{ op: "standardize" }],
  cifarAugmentStandardize: [
    { op: "pad", pixels: 4 },
    { op: "randomCrop", height: 32, width: 32 },
    { op: "randomFlip" },
    { op: "standardize" },
  ],
} satisfies Record<string, TransformSpec[]>;

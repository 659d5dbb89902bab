/**
 * The datasets' names, as a static list: configs, plans and flags validate against it without
 * loading the readers (and their image decoder). registry.ts maps each name to its reader.
 * The last two are formats rather than datasets: a folder of NumPy arrays or of Hugging Face
 * Parquet files, given with --data-dir.
 */
export const DATASET_NAMES = [
  "fashion-mnist",
  "mnist",
  "cifar10",
  "cifar100",
  "celeba",
  "imagenet",
  "npy",
  "parquet",
] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

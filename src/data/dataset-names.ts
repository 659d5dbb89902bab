/**
 * The datasets' names, as a static list: configs, plans and flags validate against it without
 * loading the readers (and their image decoder). registry.ts maps each name to its reader.
 */
export const DATASET_NAMES = [
  "fashion-mnist",
  "mnist",
  "cifar10",
  "cifar100",
  "celeba",
  "imagenet",
] as const;
export type DatasetName = (typeof DATASET_NAMES)[number];

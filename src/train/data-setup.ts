/** The run's datasets and loaders, from its config and input seed. */
import { DATASETS, type DatasetName, loadDatasetAsync, wholeFilesOf } from "../data/registry.js";
import type { TransformSpec } from "../data/transforms.js";
import type { Dataset } from "../data/types.js";
import { unpackAhead } from "../data/unpack-ahead.js";
import { refuseVectorsForImageModel } from "../data/vectors.js";
import { UserError } from "../errors.js";
import type { RunConfig } from "./config.js";
import { isOnnxModelPath } from "./imported-model.js";

/** The first n examples of a dataset (fast runs on a fixed, reproducible subset). */
export function firstExamples(dataset: Dataset, n: number | null): Dataset {
  if (n === null || n >= dataset.length) return dataset;
  const subset = `${dataset.source.subset ? `${dataset.source.subset}; ` : ""}first ${n} examples`;
  return { ...exampleRange(dataset, 0, n), source: { ...dataset.source, subset } };
}

/** Examples [start, end) as a dataset of their own, whose example 0 is `start`; nothing copied. */
export function exampleRange(dataset: Dataset, start: number, end: number): Dataset {
  const perImage = dataset.shape.channels * dataset.shape.height * dataset.shape.width;
  const perLabel = dataset.kind === "multiclass" ? 1 : dataset.classNames.length;
  const store = dataset.images;
  const images =
    store.kind === "memory"
      ? { kind: "memory" as const, pixels: store.pixels.subarray(start * perImage, end * perImage) }
      : store.kind === "floats"
        ? {
            kind: "floats" as const,
            values: store.values.subarray(start * perImage, end * perImage),
          }
        : { kind: "lazy" as const, read: (index: number) => store.read(start + index) };
  return {
    ...dataset,
    length: end - start,
    images,
    labels: dataset.labels.subarray(start * perLabel, end * perLabel),
  };
}

/** Evaluation applies the deterministic part of the training pipeline only. */
export function evaluationTransforms(transforms: readonly TransformSpec[]): TransformSpec[] {
  const random = new Set(["pad", "randomCrop", "randomFlip", "randomResizedCrop"]);
  return transforms.filter((spec) => !random.has(spec.op));
}

export interface RunData {
  train: Dataset;
  test: Dataset;
}

/**
 * Starts gunzipping the run's dataset files on a worker thread, so that it overlaps what the
 * main thread does next (loading libtorch); loadRunData then takes the unpacked bytes.
 */
export function unpackRunDataAhead(config: RunConfig): Promise<void> {
  return unpackAhead(wholeFilesOf(config.dataset as DatasetName, config.dataDir ?? undefined));
}

/**
 * Refuses a count of examples past what the split holds: the run would record a count it did
 * not train or test on. The committed stand-in subset (registry.ts), used with a warning where
 * the full set is missing, is exempt: run.json's data.source says it ran.
 */
function checkCount(dataset: Dataset, n: number | null, field: "trainExamples" | "testExamples") {
  if (n === null || n <= dataset.length || dataset.source.subset?.startsWith("committed subset"))
    return;
  const flag = field === "trainExamples" ? "--train-examples" : "--test-examples";
  throw new UserError(
    `${flag} ${n} (a plan's ${field}): the ${dataset.name} ${dataset.split} split holds ${dataset.length} examples; give at most ${dataset.length}, or leave it out for all`,
  );
}

export async function loadRunData(
  config: RunConfig,
  notify: (line: string) => void,
): Promise<RunData> {
  const name = config.dataset as DatasetName;
  const options = {
    ...(config.dataDir === null ? {} : { dataDir: config.dataDir }),
    ...(config.dataOptions === undefined ? {} : { dataOptions: config.dataOptions }),
    notify,
  };
  const train = await loadDatasetAsync(name, { split: "train", ...options });
  const test = await loadDatasetAsync(name, { split: DATASETS[name].evalSplit, ...options });
  if (!isOnnxModelPath(config.model)) refuseVectorsForImageModel(train, config.model);
  checkCount(train, config.trainExamples, "trainExamples");
  checkCount(test, config.testExamples, "testExamples");
  return {
    train: firstExamples(train, config.trainExamples),
    test: firstExamples(test, config.testExamples),
  };
}

/**
 * What a user tells nnr about data in a generic format (NumPy arrays, Parquet) where the data
 * cannot say it: the divisor that brings values to [0, 1], the number of classes, and whether
 * a 4-D array is N×C×H×W or N×H×W×C. A static schema, so configs and plans validate it
 * without loading a reader.
 */
import { z } from "zod";

export const dataOptionsSchema = z.strictObject({
  /** Values are divided by this to reach [0, 1]: 255 for bytes (the default), 1 for floats. */
  scale: z.number().positive().optional(),
  /** Classes the labels index; default: the largest label + 1. */
  classes: z.number().int().positive().optional(),
  /** How a 4-D feature array is laid out; default: decided from the shape where it can be. */
  layout: z.enum(["nchw", "nhwc"]).optional(),
});

export type DataOptions = z.infer<typeof dataOptionsSchema>;

/** The datasets that are a format read from a folder, rather than one published dataset. */
export const FORMAT_DATASETS = ["npy", "parquet"] as const;

/** A refusal where options are given to a dataset that takes none; null when fine. */
export function dataOptionsRefusal(
  dataset: string,
  options: DataOptions | undefined,
): string | null {
  if (options === undefined || Object.keys(options).length === 0) return null;
  if ((FORMAT_DATASETS as readonly string[]).includes(dataset)) return null;
  const given = Object.keys(options)
    .map((key) => `--${key}`)
    .join(", ");
  return `${given} (dataOptions) apply to --dataset ${FORMAT_DATASETS.join(" or ")}; ${dataset} says its own scale, classes and layout, so drop them`;
}

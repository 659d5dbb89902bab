/**
 * Vector data (N×D arrays): each example is D features, held as a 1×1×D image so the loader
 * batches it as any other. Of the transforms only `scale` and `standardize` mean anything for
 * a vector; the image ones (pad, crops, flips, resizes) are refused rather than run on it.
 */
import { UserError } from "../errors.js";
import type { TransformSpec } from "./transforms.js";
import type { Dataset } from "./types.js";

const VECTOR_OPS: ReadonlySet<TransformSpec["op"]> = new Set(["scale", "standardize"]);

/** One line refusing image transforms on vector data; nothing for images. */
export function refuseImageTransforms(dataset: Dataset, transforms: readonly TransformSpec[]) {
  if (dataset.examples !== "vectors") return;
  const image = [...new Set(transforms.map((t) => t.op).filter((op) => !VECTOR_OPS.has(op)))];
  if (image.length === 0) return;
  throw new UserError(
    `the ${dataset.name} ${dataset.split} split holds vectors of ${dataset.shape.width} features (N×D), and ${image.join(", ")} ${image.length === 1 ? "is an image transform" : "are image transforms"}: vectors take scale and standardize only; drop ${image.length === 1 ? "it" : "them"} from the plan's transforms`,
  );
}

/** One line refusing a model that takes images only (the zoo's CNNs) on vector data. */
export function refuseVectorsForImageModel(dataset: Dataset, model: string) {
  if (dataset.examples !== "vectors") return;
  throw new UserError(
    `--model ${model} takes images, and the ${dataset.name} data hold vectors of ${dataset.shape.width} features (N×D): train vectors with your own ONNX model whose input is [N, D] (docs/data.md, Vectors)`,
  );
}

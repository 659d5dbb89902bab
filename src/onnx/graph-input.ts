/**
 * How a batch [N, C, H, W] meets the graph's input: as it is, or flattened to [N, C·H·W]
 * where the graph's input has rank 2 (an MLP over vectors, [N, D]), as PyTorch's
 * `x.flatten(1)` would. A fixed D other than the examples' C·H·W is refused in one line.
 */
import type { Tensor } from "../engine/index.js";
import { UserError } from "../errors.js";
import type { OnnxModel } from "./graph-types.js";

export type InputFeed = (batch: Tensor) => Tensor;

export function inputFeed(model: OnnxModel, [c, h, w]: readonly number[]): InputFeed {
  const shape = model.graph.inputs[0]?.shape;
  if (shape?.length !== 2) return (batch) => batch;
  const features = c! * h! * w!;
  const wanted = shape[1];
  if (typeof wanted === "number" && wanted !== features) {
    const example =
      c === 1 && h === 1
        ? `vectors of ${features} features`
        : `images ${c}×${h}×${w} (${features} values)`;
    throw new UserError(
      `${model.file}: the graph's input is [N, ${wanted}], but the dataset's examples are ${example}; export it for input [N, ${features}]`,
    );
  }
  return (batch) => batch.reshape([batch.shape[0]!, features]);
}

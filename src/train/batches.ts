import type { Batch } from "../data/types.js";
import { type Tensor, tensor, tidy } from "../engine/index.js";

/** A loader batch as tensors on the run's device: images NCHW float32, labels int64 or float. */
export function batchTensors(
  batch: Batch,
  multilabel: boolean,
  device: string,
): { images: Tensor; labels: Tensor } {
  return tidy(() => {
    const onDevice = (t: Tensor) => (device === "cpu" ? t : t.to({ device }));
    const images = onDevice(tensor(batch.images, batch.imageShape));
    const labels = multilabel
      ? onDevice(
          tensor(batch.labels as Uint8Array, [
            batch.imageShape[0],
            batch.labels.length / batch.imageShape[0],
          ]).float(),
        )
      : onDevice(tensor(batch.labels as Int32Array, [batch.labels.length]).long());
    return { images, labels };
  });
}

import type { Batch } from "../data/types.js";
import {
  cudaUnavailableReason,
  type Tensor,
  tensor,
  tidy,
  toDevicePinned,
} from "../engine/index.js";

/**
 * A loader batch as tensors on the run's device: images NCHW float32, labels int64 or float.
 * On CUDA the copies go through pinned memory without blocking, so the host assembles the next
 * batch while the GPU works; the bits are those of a plain copy, so runs do not record it.
 */
export function batchTensors(
  batch: Batch,
  multilabel: boolean,
  device: string,
): { images: Tensor; labels: Tensor } {
  return tidy(() => {
    const onDevice = (t: Tensor) =>
      device === "cpu"
        ? t
        : cudaUnavailableReason() === null
          ? toDevicePinned(t, device)
          : t.to({ device });
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

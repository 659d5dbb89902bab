/**
 * The random crop of Inception-style ImageNet training, as the original's ImageNet input
 * (TensorFlow official models, `tf.image.sample_distorted_bounding_box`) draws it: a window
 * covering 8–100 % of the image with an aspect ratio between 3/4 and 4/3 (log-uniform), up to
 * 10 attempts, else the largest central window within those ratios. The window is then resized
 * to the output size.
 */
import type { RandomStream } from "../random/stream.js";

export const AREA_RANGE = [0.08, 1] as const;
export const ASPECT_RANGE = [3 / 4, 4 / 3] as const;
const ATTEMPTS = 10;

/** [top, left, height, width] of the window, drawn from `rng`. */
export function drawResizedCropBox(
  rng: RandomStream,
  height: number,
  width: number,
): [number, number, number, number] {
  const area = height * width;
  const [logLow, logHigh] = [Math.log(ASPECT_RANGE[0]), Math.log(ASPECT_RANGE[1])];
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const target = area * (AREA_RANGE[0] + (AREA_RANGE[1] - AREA_RANGE[0]) * rng.nextFloat());
    const aspect = Math.exp(logLow + (logHigh - logLow) * rng.nextFloat());
    const w = Math.round(Math.sqrt(target * aspect));
    const h = Math.round(Math.sqrt(target / aspect));
    if (w > 0 && h > 0 && w <= width && h <= height) {
      return [rng.nextInt(height - h + 1), rng.nextInt(width - w + 1), h, w];
    }
  }
  // Fallback: the central window, clipped to the aspect range.
  let [h, w] = [height, width];
  if (width / height < ASPECT_RANGE[0]) h = Math.round(width / ASPECT_RANGE[0]);
  else if (width / height > ASPECT_RANGE[1]) w = Math.round(height * ASPECT_RANGE[1]);
  return [Math.floor((height - h) / 2), Math.floor((width - w) / 2), h, w];
}

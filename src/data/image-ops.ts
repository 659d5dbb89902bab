/**
 * Per-image operations on float32 CHW images, matching the TensorFlow ops the original
 * pipeline used. Pure functions: randomness (crop offsets, flips) comes in as arguments.
 */
import type { ImageShape } from "./types.js";

export function elementCount(shape: ImageShape): number {
  return shape.channels * shape.height * shape.width;
}

/** x / 255: bytes to [0, 1]. */
export function scaleToUnit(src: Float32Array, dst: Float32Array): void {
  for (let i = 0; i < src.length; i++) dst[i] = src[i]! / 255;
}

/**
 * `tf.image.per_image_standardization`: (x − mean) / max(std, 1/√N) over all N values of
 * the image (all channels together), std the population standard deviation. The floor on
 * std keeps a constant image finite. Sums are taken in float64 so the result does not
 * depend on summation order beyond float64 rounding.
 */
export function perImageStandardize(src: Float32Array, dst: Float32Array): void {
  const count = src.length;
  let sum = 0;
  for (let i = 0; i < count; i++) sum += src[i]!;
  const mean = sum / count;
  let squares = 0;
  for (let i = 0; i < count; i++) {
    const centred = src[i]! - mean;
    squares += centred * centred;
  }
  const std = Math.sqrt(squares / count);
  const divisor = Math.max(std, 1 / Math.sqrt(count));
  for (let i = 0; i < count; i++) dst[i] = (src[i]! - mean) / divisor;
}

/** Zero padding of `pad` pixels on every side (`tf.image.resize_with_crop_or_pad` to +2·pad). */
export function padImage(
  src: Float32Array,
  shape: ImageShape,
  pad: number,
  dst: Float32Array,
): void {
  const { channels, height, width } = shape;
  const outHeight = height + 2 * pad;
  const outWidth = width + 2 * pad;
  dst.fill(0, 0, channels * outHeight * outWidth);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < height; y++) {
      const from = (c * height + y) * width;
      const to = (c * outHeight + y + pad) * outWidth + pad;
      dst.set(src.subarray(from, from + width), to);
    }
  }
}

/** The height×width window at (top, left), all channels. */
export function cropImage(
  src: Float32Array,
  shape: ImageShape,
  top: number,
  left: number,
  height: number,
  width: number,
  dst: Float32Array,
): void {
  if (top < 0 || left < 0 || top + height > shape.height || left + width > shape.width) {
    throw new RangeError(
      `crop ${height}x${width} at (${top}, ${left}) leaves a ${shape.height}x${shape.width} image`,
    );
  }
  for (let c = 0; c < shape.channels; c++) {
    for (let y = 0; y < height; y++) {
      const from = (c * shape.height + top + y) * shape.width + left;
      dst.set(src.subarray(from, from + width), (c * height + y) * width);
    }
  }
}

/** Mirror left–right (`tf.image.flip_left_right`). */
export function flipHorizontal(src: Float32Array, shape: ImageShape, dst: Float32Array): void {
  const { width } = shape;
  const rows = shape.channels * shape.height;
  for (let row = 0; row < rows; row++) {
    const base = row * width;
    for (let x = 0; x < width; x++) dst[base + x] = src[base + width - 1 - x]!;
  }
}

/** Top-left corner of the central window; odd margins put the extra pixel at the bottom/right. */
export function centerCropOffsets(
  shape: ImageShape,
  height: number,
  width: number,
): [number, number] {
  return [Math.floor((shape.height - height) / 2), Math.floor((shape.width - width) / 2)];
}

/**
 * Bilinear resize with half-pixel centres, without antialiasing: `tf.image.resize(...,
 * method="bilinear")` in TensorFlow 2.
 */
export function resizeBilinear(
  src: Float32Array,
  shape: ImageShape,
  outHeight: number,
  outWidth: number,
  dst: Float32Array,
): void {
  const { channels, height, width } = shape;
  const rows = axisWeights(height, outHeight);
  const cols = axisWeights(width, outWidth);
  for (let c = 0; c < channels; c++) {
    const plane = c * height * width;
    for (let y = 0; y < outHeight; y++) {
      const top = plane + rows.lower[y]! * width;
      const bottom = plane + rows.upper[y]! * width;
      const dy = rows.fraction[y]!;
      for (let x = 0; x < outWidth; x++) {
        const left = cols.lower[x]!;
        const right = cols.upper[x]!;
        const dx = cols.fraction[x]!;
        const upperRow = src[top + left]! + (src[top + right]! - src[top + left]!) * dx;
        const lowerRow = src[bottom + left]! + (src[bottom + right]! - src[bottom + left]!) * dx;
        dst[(c * outHeight + y) * outWidth + x] = upperRow + (lowerRow - upperRow) * dy;
      }
    }
  }
}

/** Source positions for each output position along one axis, as TensorFlow computes them. */
function axisWeights(inSize: number, outSize: number) {
  const scale = inSize / outSize;
  const lower = new Int32Array(outSize);
  const upper = new Int32Array(outSize);
  const fraction = new Float64Array(outSize);
  for (let i = 0; i < outSize; i++) {
    const position = (i + 0.5) * scale - 0.5;
    const floor = Math.floor(position);
    lower[i] = Math.max(floor, 0);
    upper[i] = Math.min(Math.ceil(position), inSize - 1);
    fraction[i] = position - floor;
  }
  return { lower, upper, fraction };
}

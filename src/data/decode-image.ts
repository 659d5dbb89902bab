/**
 * JPEG/PNG decoding through sharp (libvips). Decoders and resamplers differ pixel for pixel,
 * so the library is pinned in package.json and its versions travel with every dataset
 * (`decoderInfo`), and the resize is spelled out in the record.
 */
import type { OutputInfo } from "sharp";
import { UserError } from "../errors.js";
import { lazyRequire } from "../io/lazy-module.js";
import { dataFileError } from "./files.js";
import type { DecoderInfo } from "./types.js";

// Loaded when an image is decoded, not by every command (io/lazy-module.ts).
const sharp = lazyRequire<typeof import("sharp").default>("sharp");

/** libvips' linear kernel: the closest to TensorFlow's default bilinear resize. */
const RESIZE_KERNEL = "linear";

export type ResizeRule =
  /** Stretch to exactly width×height, ignoring aspect (as `tf.image.resize` does). */
  | { kind: "fill"; width: number; height: number }
  /** Scale so the shorter side is `shorterSide`, then cut the central width×height. */
  | { kind: "shorter-side-center-crop"; shorterSide: number; width: number; height: number };

export function describeResize(rule: ResizeRule): string {
  if (rule.kind === "fill") return `fill ${rule.width}x${rule.height}, ${RESIZE_KERNEL} kernel`;
  return `shorter side ${rule.shorterSide}, ${RESIZE_KERNEL} kernel, centre crop ${rule.width}x${rule.height}`;
}

export function decoderInfo(rule: ResizeRule): DecoderInfo {
  return decoderWithResize(describeResize(rule));
}

/** The decoder's versions, with how images were brought to their stored size in words. */
export function decoderWithResize(resize: string): DecoderInfo {
  const versions = sharp().versions as Record<string, string | undefined>;
  return {
    name: "sharp",
    version: versions.sharp ?? "unknown",
    libvips: versions.vips ?? "unknown",
    libjpeg: versions.mozjpeg ?? versions.jpeg ?? "unknown",
    libpng: versions.png ?? versions.spng ?? "unknown",
    resize,
  };
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Whether a PNG is grey, from its IHDR's colour type (0 grey, 4 grey with alpha), without a
 * second pass through the decoder; undefined for anything but a PNG.
 */
function pngIsGrey(bytes: Uint8Array): boolean | undefined {
  if (bytes.length < 26 || PNG_SIGNATURE.some((b, i) => bytes[i] !== b)) return undefined;
  return bytes[25] === 0 || bytes[25] === 4;
}

async function isGrey(input: Buffer): Promise<boolean> {
  const meta = await sharp()(input).metadata();
  return meta.space === "b-w" || meta.space === "grey16";
}

/** An image decoded at its own size: C×H×W bytes, one channel for grey images, else three. */
export interface DecodedImage {
  pixels: Uint8Array;
  channels: number;
  height: number;
  width: number;
}

/**
 * Decodes PNG/JPEG bytes held in memory (a Parquet cell) at their own size: grey stays one
 * channel, anything else becomes 8-bit sRGB; alpha is dropped. `where` names the image in
 * errors (file and row).
 */
export async function decodeImageBytes(
  bytes: Uint8Array,
  where: string,
  remedy: string,
): Promise<DecodedImage> {
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const grey = pngIsGrey(bytes) ?? (await isGrey(input));
    decoded = await sharp()(input)
      .removeAlpha()
      .toColourspace(grey ? "b-w" : "srgb")
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw new UserError(`${where}: unreadable image (${reason}); ${remedy}`);
  }
  const { data, info } = decoded;
  const { channels, height, width } = info;
  const plane = height * width;
  const pixels = new Uint8Array(channels * plane);
  for (let p = 0; p < plane; p++) {
    for (let c = 0; c < channels; c++) pixels[c * plane + p] = data[p * channels + c]!;
  }
  return { pixels, channels, height, width };
}

/**
 * Decodes one image file to 8-bit sRGB, three channels (grey images are expanded, alpha is
 * dropped), resized by `rule`, returned channels-first (C×H×W). EXIF orientation is not
 * applied: TensorFlow's decoders ignore it too, and the stored pixels are what the file holds.
 */
export async function decodeImageFile(
  path: string,
  rule: ResizeRule,
  remedy: string,
): Promise<Uint8Array> {
  let decoded: { data: Buffer; info: OutputInfo };
  try {
    const resize =
      rule.kind === "fill"
        ? { width: rule.width, height: rule.height, fit: "fill" as const }
        : { width: rule.shorterSide, height: rule.shorterSide, fit: "outside" as const };
    decoded = await sharp()(path)
      .removeAlpha()
      .toColourspace("srgb")
      .resize({ ...resize, kernel: RESIZE_KERNEL })
      .raw()
      .toBuffer({ resolveWithObject: true });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw dataFileError(path, `unreadable image (${reason})`, remedy);
  }
  const { data, info } = decoded;
  if (info.channels !== 3) {
    throw dataFileError(path, `decoded to ${info.channels} channels, expected 3`, remedy);
  }
  const height = rule.height;
  const width = rule.width;
  // The centre crop's offsets round down, as TensorFlow's crop_to_bounding_box callers do.
  const top = Math.floor((info.height - height) / 2);
  const left = Math.floor((info.width - width) / 2);
  if (top < 0 || left < 0) {
    throw dataFileError(
      path,
      `resized to ${info.width}x${info.height}, smaller than ${width}x${height}`,
      remedy,
    );
  }
  return interleavedToPlanar(data, info.width, top, left, height, width);
}

/** HWC bytes (a window of a wider image) to CHW, three channels. */
export function interleavedToPlanar(
  hwc: Uint8Array,
  sourceWidth: number,
  top: number,
  left: number,
  height: number,
  width: number,
): Uint8Array {
  const plane = height * width;
  const chw = new Uint8Array(3 * plane);
  for (let y = 0; y < height; y++) {
    let source = ((top + y) * sourceWidth + left) * 3;
    let target = y * width;
    for (let x = 0; x < width; x++, source += 3, target++) {
      chw[target] = hwc[source]!;
      chw[plane + target] = hwc[source + 1]!;
      chw[2 * plane + target] = hwc[source + 2]!;
    }
  }
  return chw;
}

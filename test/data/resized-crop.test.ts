/** ImageNet training's random resized crop: the window's draws, its fallback, its pixels. */
import { describe, expect, it } from "vitest";
import { cropImage, resizeBilinear } from "../../src/data/image-ops.js";
import { drawResizedCropBox } from "../../src/data/resized-crop.js";
import { compilePipeline, PipelineRunner } from "../../src/data/transforms.js";
import { RandomStream } from "../../src/random/stream.js";

describe("randomResizedCrop", () => {
  it("draws windows of 8–100 % of the area, aspect 3/4–4/3, inside the image, from its named stream", () => {
    const boxes = (name: string) => {
      const rng = RandomStream.named(7, name);
      return Array.from({ length: 500 }, () => drawResizedCropBox(rng, 224, 224));
    };
    const drawn = boxes("augment");
    for (const [top, left, h, w] of drawn) {
      expect(top >= 0 && left >= 0 && top + h <= 224 && left + w <= 224).toBe(true);
      // Rounding the sides moves the area and the ratio by at most half a pixel a side.
      expect((h * w) / 224 ** 2).toBeGreaterThanOrEqual(0.08 * 0.97);
      expect(w / h).toBeGreaterThanOrEqual((3 / 4) * 0.97);
      expect(w / h).toBeLessThanOrEqual((4 / 3) * 1.03);
    }
    // Areas spread over the range, not stuck at one end.
    const areas = drawn.map(([, , h, w]) => (h * w) / 224 ** 2);
    expect(Math.min(...areas)).toBeLessThan(0.15);
    expect(Math.max(...areas)).toBeGreaterThan(0.9);
    expect(boxes("augment")).toEqual(drawn);
    expect(boxes("other")).not.toEqual(drawn);
  });

  it("falls back to the central window when no attempt fits (a 1×100 strip: 1×1 at column 49)", () => {
    // Any window of ≥ 8 pixels with aspect ≤ 4/3 is at least 2 rows tall: all 10 attempts fail.
    expect(drawResizedCropBox(RandomStream.named(0, "augment"), 1, 100)).toEqual([0, 49, 1, 1]);
  });

  it("crops the drawn window and resizes it bilinearly to the output size", () => {
    const shape = { channels: 3, height: 8, width: 8 };
    const pixels = Uint8Array.from({ length: 192 }, (_, i) => (i * 13) % 256);
    const run = (draws: number[]) => {
      const pipeline = compilePipeline([{ op: "randomResizedCrop", height: 8, width: 8 }], shape);
      expect(pipeline.drawsPerExample).toBe(4);
      const out = new Float32Array(192);
      new PipelineRunner(pipeline).run(pixels, Int32Array.from(draws), 0, out);
      return out;
    };
    // The whole image at its own size: half-pixel centres land on the pixels themselves.
    expect(run([0, 0, 8, 8])).toEqual(Float32Array.from(pixels));
    const window = new Float32Array(3 * 4 * 4);
    cropImage(Float32Array.from(pixels), shape, 2, 3, 4, 4, window);
    const expected = new Float32Array(192);
    resizeBilinear(window, { channels: 3, height: 4, width: 4 }, 8, 8, expected);
    expect(run([2, 3, 4, 4])).toEqual(expected);
  });
});

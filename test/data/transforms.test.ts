import { describe, expect, it } from "vitest";
import {
  centerCropOffsets,
  cropImage,
  flipHorizontal,
  padImage,
  perImageStandardize,
  resizeBilinear,
} from "../../src/data/image-ops.js";
import { compilePipeline, drawExample, PipelineRunner } from "../../src/data/transforms.js";
import { UserError } from "../../src/errors.js";
import { RandomStream } from "../../src/random/stream.js";

const f32 = (values: number[]) => Float32Array.from(values);
const close = (actual: Float32Array, expected: number[], digits = 5) => {
  expect(actual).toHaveLength(expected.length);
  for (const [i, value] of expected.entries()) expect(actual[i]).toBeCloseTo(value, digits);
};

describe("per-image standardization", () => {
  it("subtracts the mean and divides by the population std", () => {
    // [1 2; 3 4]: mean 2.5, variance (2.25+0.25+0.25+2.25)/4 = 1.25, std = √1.25.
    const out = new Float32Array(4);
    perImageStandardize(f32([1, 2, 3, 4]), out);
    const s = Math.sqrt(1.25);
    close(out, [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s]);
  });

  it("floors the std at 1/√N", () => {
    // [0 0 0 1]: mean 0.25, std = √0.1875 ≈ 0.433 < 1/√4 = 0.5, so it divides by 0.5.
    const out = new Float32Array(4);
    perImageStandardize(f32([0, 0, 0, 1]), out);
    close(out, [-0.5, -0.5, -0.5, 1.5]);
    // A constant image becomes zeros, not NaN.
    perImageStandardize(f32([7, 7, 7, 7]), out);
    close(out, [0, 0, 0, 0]);
  });

  it("uses all channels together", () => {
    // Two 1×2 channels [0 2] and [4 6]: mean 3, variance (9+1+1+9)/4 = 5.
    const out = new Float32Array(4);
    perImageStandardize(f32([0, 2, 4, 6]), out);
    const s = Math.sqrt(5);
    close(out, [-3 / s, -1 / s, 1 / s, 3 / s]);
  });
});

describe("pad, crop and flip", () => {
  const shape = { channels: 1, height: 2, width: 3 };
  const image = f32([1, 2, 3, 4, 5, 6]);

  it("pads with zeros on every side", () => {
    const out = new Float32Array(4 * 5);
    padImage(image, shape, 1, out);
    // biome-ignore format: the padded image, row by row
    expect(Array.from(out)).toEqual([
      0, 0, 0, 0, 0,
      0, 1, 2, 3, 0,
      0, 4, 5, 6, 0,
      0, 0, 0, 0, 0,
    ]);
  });

  it("crops a window and mirrors it", () => {
    const padded = new Float32Array(20);
    padImage(image, shape, 1, padded);
    const crop = new Float32Array(6);
    cropImage(padded, { channels: 1, height: 4, width: 5 }, 1, 2, 2, 3, crop);
    expect(Array.from(crop)).toEqual([2, 3, 0, 5, 6, 0]);
    const flipped = new Float32Array(6);
    flipHorizontal(crop, shape, flipped);
    expect(Array.from(flipped)).toEqual([0, 3, 2, 0, 6, 5]);
    expect(() => cropImage(padded, { channels: 1, height: 4, width: 5 }, 3, 0, 2, 3, crop)).toThrow(
      RangeError,
    );
  });

  it("runs pad → random crop → random flip with the drawn offsets", () => {
    // Two channels, so the test also checks that every plane gets the same crop and flip.
    const pipeline = compilePipeline(
      [{ op: "pad", pixels: 1 }, { op: "randomCrop", height: 2, width: 3 }, { op: "randomFlip" }],
      { channels: 2, height: 2, width: 3 },
    );
    expect(pipeline.drawsPerExample).toBe(3);
    expect(pipeline.outShape).toEqual({ channels: 2, height: 2, width: 3 });
    const runner = new PipelineRunner(pipeline);
    const pixels = Uint8Array.from([1, 2, 3, 4, 5, 6, 10, 20, 30, 40, 50, 60]);
    const out = new Float32Array(12);
    runner.run(pixels, Int32Array.from([1, 2, 1]), 0, out); // top 1, left 2, flip
    expect(Array.from(out)).toEqual([0, 3, 2, 0, 6, 5, 0, 30, 20, 0, 60, 50]);
    runner.run(pixels, Int32Array.from([0, 0, 0]), 0, out); // top-left, no flip
    expect(Array.from(out)).toEqual([0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 10, 20]);
  });

  it("draws every crop offset and both flips, top then left then flip", () => {
    const pipeline = compilePipeline(
      [{ op: "pad", pixels: 4 }, { op: "randomCrop", height: 32, width: 32 }, { op: "randomFlip" }],
      { channels: 3, height: 32, width: 32 },
    );
    const rng = RandomStream.named(0, "augment");
    const reference = RandomStream.named(0, "augment");
    const draws = new Int32Array(3);
    const seen = [new Set<number>(), new Set<number>(), new Set<number>()];
    for (let i = 0; i < 2000; i++) {
      drawExample(pipeline, rng, draws, 0);
      expect([draws[0], draws[1], draws[2]]).toEqual([
        reference.nextInt(9),
        reference.nextInt(9),
        reference.nextInt(2),
      ]);
      for (const [d, value] of draws.entries()) seen[d]!.add(value);
    }
    expect(seen.map((s) => s.size)).toEqual([9, 9, 2]);
  });
});

describe("resize and centre crop", () => {
  // x[i] = i² on a 3×4 grid; expected values from torch.nn.functional.interpolate(mode="bilinear",
  // align_corners=False), which is the same half-pixel-centre bilinear as TensorFlow 2's resize.
  const grid = f32(Array.from({ length: 12 }, (_, i) => i * i));
  const shape = { channels: 1, height: 3, width: 4 };

  it("downsamples like half-pixel bilinear", () => {
    const out = new Float32Array(6);
    resizeBilinear(grid, shape, 2, 3, out);
    close(out, [4.5, 9.5, 17.833334, 54.5, 75.5, 99.833336], 4);
  });

  it("upsamples like half-pixel bilinear", () => {
    const out = new Float32Array(35);
    resizeBilinear(grid, shape, 5, 7, out);
    // biome-ignore format: 5 rows of 7
    close(out, [
      0, 0.357143, 0.928571, 2.5, 4.357143, 7.214287, 9,
      6.4, 7.9, 10.3, 13.7, 17.385717, 22.071432, 25,
      16, 19.214289, 24.357147, 30.5, 36.928577, 44.357147, 49,
      44.8, 49.728573, 57.614292, 66.5, 75.671432, 85.842865, 92.2,
      64, 70.071426, 79.785721, 90.5, 101.5, 113.5, 121,
    ], 3);
  });

  it("centre-crops with the extra pixel at the bottom right", () => {
    expect(centerCropOffsets({ channels: 3, height: 256, width: 341 }, 224, 224)).toEqual([16, 58]);
    const pipeline = compilePipeline([{ op: "centerCrop", height: 1, width: 2 }], shape);
    const out = new Float32Array(2);
    new PipelineRunner(pipeline).run(Uint8Array.from(grid), new Int32Array(0), 0, out);
    expect(Array.from(out)).toEqual([25, 36]); // row 1, columns 1..2
  });
});

describe("pipeline validation", () => {
  it("rejects unknown ops and crops larger than their input", () => {
    const shape = { channels: 1, height: 28, width: 28 };
    expect(() => compilePipeline([{ op: "blur" }], shape)).toThrow(UserError);
    expect(() => compilePipeline([{ op: "randomCrop", height: 32, width: 32 }], shape)).toThrow(
      "transform randomCrop 32x32 does not fit the 28x28 image it receives; pad first or choose a smaller size",
    );
    expect(
      compilePipeline(
        [
          { op: "pad", pixels: 2 },
          { op: "randomCrop", height: 32, width: 32 },
        ],
        shape,
      ).outShape,
    ).toEqual({
      channels: 1,
      height: 32,
      width: 32,
    });
  });

  it("scales bytes to [0, 1]", () => {
    const pipeline = compilePipeline([{ op: "scale" }], { channels: 1, height: 1, width: 3 });
    const out = new Float32Array(3);
    new PipelineRunner(pipeline).run(Uint8Array.from([0, 51, 255]), new Int32Array(0), 0, out);
    close(out, [0, 0.2, 1], 6);
  });
});

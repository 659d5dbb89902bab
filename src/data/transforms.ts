/**
 * The transform pipeline: an ordered list of steps from the stored bytes to the float32
 * image the model sees. The pipeline is configuration (JSON), so a run records exactly what
 * was done to its inputs. Random steps take their draws from the `augment` generator while
 * a batch is planned, so the pixel work itself is a pure function of (image, draws).
 */
import { z } from "zod";
import { UserError } from "../errors.js";
import type { RandomStream } from "../random/stream.js";
import {
  centerCropOffsets,
  cropImage,
  elementCount,
  flipHorizontal,
  padImage,
  perImageStandardize,
  resizeBilinear,
  scaleToUnit,
} from "./image-ops.js";
import { drawResizedCropBox } from "./resized-crop.js";
import type { ImageShape } from "./types.js";
import { scaleBytesToUnit } from "./unit-scale.js";

const positive = z.number().int().positive();

export const transformSpecSchema = z.discriminatedUnion("op", [
  /** x / 255: to [0, 1] (x / the data's scale where it says another, data/data-options.ts). */
  z.object({ op: z.literal("scale") }).strict(),
  /** Per-image standardization as TensorFlow defines it. */
  z.object({ op: z.literal("standardize") }).strict(),
  /** Zero padding on every side. */
  z.object({ op: z.literal("pad"), pixels: positive }).strict(),
  /** A window at a uniformly random position (draws: top, then left). */
  z.object({ op: z.literal("randomCrop"), height: positive, width: positive }).strict(),
  /** Left–right mirror with probability 1/2 (draws: one bit). */
  z.object({ op: z.literal("randomFlip") }).strict(),
  /** Bilinear, half-pixel centres, no antialiasing. */
  z.object({ op: z.literal("resize"), height: positive, width: positive }).strict(),
  z.object({ op: z.literal("centerCrop"), height: positive, width: positive }).strict(),
  /** ImageNet training's random window, resized (data/resized-crop.ts; draws: top, left, h, w). */
  z.object({ op: z.literal("randomResizedCrop"), height: positive, width: positive }).strict(),
]);

export type TransformSpec = z.infer<typeof transformSpecSchema>;

/** One compiled step: shapes fixed, random draws separated from the pixel work. */
interface Step {
  outShape: ImageShape;
  /** How many integers this step draws per example. */
  drawCount: number;
  draw(rng: RandomStream, draws: Int32Array, at: number): void;
  apply(src: Float32Array, dst: Float32Array, draws: Int32Array, at: number): void;
}

export interface Pipeline {
  specs: TransformSpec[];
  inShape: ImageShape;
  outShape: ImageShape;
  /** Random integers drawn per example, in step order. */
  drawsPerExample: number;
  steps: Step[];
  /** Largest image any step produces, for scratch buffers. */
  maxElements: number;
  /** What `scale` divides by: 255 for bytes, the data's own scale otherwise. */
  valueScale: number;
}

function compileStep(spec: TransformSpec, shape: ImageShape, valueScale: number): Step {
  const noDraws = { drawCount: 0, draw() {} };
  switch (spec.op) {
    case "scale":
      return {
        ...noDraws,
        outShape: shape,
        apply:
          valueScale === 255
            ? (src, dst) => scaleToUnit(src, dst)
            : valueScale === 1
              ? (src, dst) => dst.set(src)
              : (src, dst) => {
                  for (let i = 0; i < src.length; i++) dst[i] = src[i]! / valueScale;
                },
      };
    case "standardize":
      return { ...noDraws, outShape: shape, apply: (src, dst) => perImageStandardize(src, dst) };
    case "pad": {
      const outShape = {
        ...shape,
        height: shape.height + 2 * spec.pixels,
        width: shape.width + 2 * spec.pixels,
      };
      return { ...noDraws, outShape, apply: (src, dst) => padImage(src, shape, spec.pixels, dst) };
    }
    case "randomCrop": {
      requireFits(spec, shape);
      const outShape = { ...shape, height: spec.height, width: spec.width };
      return {
        outShape,
        drawCount: 2,
        draw(rng, draws, at) {
          draws[at] = rng.nextInt(shape.height - spec.height + 1);
          draws[at + 1] = rng.nextInt(shape.width - spec.width + 1);
        },
        apply: (src, dst, draws, at) =>
          cropImage(src, shape, draws[at]!, draws[at + 1]!, spec.height, spec.width, dst),
      };
    }
    case "randomFlip":
      return {
        outShape: shape,
        drawCount: 1,
        draw(rng, draws, at) {
          draws[at] = rng.nextInt(2);
        },
        apply(src, dst, draws, at) {
          if (draws[at] === 1) flipHorizontal(src, shape, dst);
          else dst.set(src.subarray(0, elementCount(shape)));
        },
      };
    case "resize": {
      const outShape = { ...shape, height: spec.height, width: spec.width };
      return {
        ...noDraws,
        outShape,
        apply: (src, dst) => resizeBilinear(src, shape, spec.height, spec.width, dst),
      };
    }
    case "randomResizedCrop":
      return randomResizedCropStep(spec, shape);
    case "centerCrop": {
      requireFits(spec, shape);
      const outShape = { ...shape, height: spec.height, width: spec.width };
      const [top, left] = centerCropOffsets(shape, spec.height, spec.width);
      return {
        ...noDraws,
        outShape,
        apply: (src, dst) => cropImage(src, shape, top, left, spec.height, spec.width, dst),
      };
    }
  }
}

function randomResizedCropStep(spec: { height: number; width: number }, shape: ImageShape): Step {
  // One window's pixels before the resize; a pipeline runs one example at a time.
  const window = new Float32Array(elementCount(shape));
  return {
    outShape: { ...shape, height: spec.height, width: spec.width },
    drawCount: 4,
    draw(rng, draws, at) {
      draws.set(drawResizedCropBox(rng, shape.height, shape.width), at);
    },
    apply(src, dst, draws, at) {
      const [top, left, height, width] = [
        draws[at]!,
        draws[at + 1]!,
        draws[at + 2]!,
        draws[at + 3]!,
      ];
      cropImage(src, shape, top, left, height, width, window);
      resizeBilinear(window, { ...shape, height, width }, spec.height, spec.width, dst);
    },
  };
}

function requireFits(spec: { op: string; height: number; width: number }, shape: ImageShape): void {
  if (spec.height > shape.height || spec.width > shape.width) {
    throw new UserError(
      `transform ${spec.op} ${spec.height}x${spec.width} does not fit the ${shape.height}x${shape.width} image it receives; pad first or choose a smaller size`,
    );
  }
}

/**
 * Validates the specs and fixes every step's shapes for images of `inShape`, whose values
 * `scale` divides by `valueScale` (255: bytes).
 */
export function compilePipeline(
  specs: readonly unknown[],
  inShape: ImageShape,
  valueScale = 255,
): Pipeline {
  const parsed = z.array(transformSpecSchema).safeParse(specs);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join(".") ?? "";
    throw new UserError(
      `invalid transform pipeline at [${where}]: ${issue?.message}; see docs/data.md`,
    );
  }
  const steps: Step[] = [];
  let shape = inShape;
  let maxElements = elementCount(inShape);
  for (const spec of parsed.data) {
    const step = compileStep(spec, shape, valueScale);
    steps.push(step);
    shape = step.outShape;
    maxElements = Math.max(maxElements, elementCount(shape));
  }
  const drawsPerExample = steps.reduce((sum, step) => sum + step.drawCount, 0);
  return {
    specs: parsed.data,
    inShape,
    outShape: shape,
    drawsPerExample,
    steps,
    maxElements,
    valueScale,
  };
}

/** Draws every random parameter for one example, in step order. */
export function drawExample(
  pipeline: Pipeline,
  rng: RandomStream,
  draws: Int32Array,
  at: number,
): void {
  let offset = at;
  for (const step of pipeline.steps) {
    step.draw(rng, draws, offset);
    offset += step.drawCount;
  }
}

/** Reusable buffers so a batch allocates nothing per example. */
export class PipelineRunner {
  private readonly front: Float32Array;
  private readonly back: Float32Array;
  /** A leading `scale` of bytes is folded into the byte-to-float conversion: one pass, not two. */
  private readonly foldsScale: boolean;

  constructor(private readonly pipeline: Pipeline) {
    this.front = new Float32Array(pipeline.maxElements);
    this.back = new Float32Array(pipeline.maxElements);
    this.foldsScale = pipeline.specs[0]?.op === "scale" && pipeline.valueScale === 255;
  }

  /** Runs the pipeline on one stored image (bytes or floats) and writes the result into `out`. */
  run(pixels: Uint8Array | Float32Array, draws: Int32Array, at: number, out: Float32Array): void {
    const { steps, inShape } = this.pipeline;
    const first = this.foldsScale && pixels instanceof Uint8Array ? 1 : 0;
    let src = first === steps.length ? out : this.front;
    let dst = this.back;
    if (first === 1) {
      scaleBytesToUnit(pixels as Uint8Array, src);
    } else {
      // TypedArray.set converts bytes to floats natively, several times faster than a JS loop.
      src.set(pixels);
    }
    let inCount = elementCount(inShape);
    let offset = at;
    for (let index = first; index < steps.length; index++) {
      const step = steps[index]!;
      const outCount = elementCount(step.outShape);
      // Views of exactly the image's size: the ops take their element counts from them.
      const target = index === steps.length - 1 ? out : dst;
      step.apply(src.subarray(0, inCount), target.subarray(0, outCount), draws, offset);
      offset += step.drawCount;
      inCount = outCount;
      const previous = src;
      src = dst;
      dst = previous;
    }
  }
}

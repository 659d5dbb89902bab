/**
 * SmallCNN and MediumCNN pool before their ReLU (src/nn/models/relu-pool.ts), fused into one
 * native pass each way on float32 CPU tensors (native/src/relu-max-pool.cc). Tolerance 0
 * throughout: each claim is an identity of bits, not an approximation.
 * - The fused op against ATen's max_pool2d then relu, the ops it replaces: outputs, input
 *   gradients and their strides, on inputs built to catch where the fusion could break:
 *   ties (values on a coarse grid), whole negative windows, −0, ±inf, NaN in the input and in
 *   the upstream gradient; odd heights and widths (rows and columns no window covers); channel
 *   counts and widths that leave a tail after the four-lane vectors; both memory layouts; 1
 *   and 2 threads; with gradients off.
 * - Pooling then ReLU against ReLU then pooling, on inputs without −0 (the one case where
 *   their bits differ, in the sign of a zero).
 */
import { afterAll, describe, expect, it } from "vitest";
import {
  determinismState,
  F,
  Generator,
  liveTensors,
  noGrad,
  randn,
  setThreads,
  type Tensor,
  tensor,
  tidy,
} from "../../src/engine/index.js";
import { reluOfMaxPool } from "../../src/nn/models/relu-pool.js";

type Format = "contiguous" | "channels_last";

const bits = (t: Tensor): number[] =>
  tidy(() => Array.from(new Uint32Array(t.contiguous().dataSync().buffer)));

/** Values in steps of 0.5 around zero: many ties, many zeros, whole negative windows. */
function coarse(shape: number[], seed: number, withNaN: boolean): Float32Array {
  return tidy(() => {
    const data = randn(shape, new Generator(seed, "input"))
      .mul(2)
      .round()
      .div(2)
      .sub(0.5)
      .dataSync() as Float32Array;
    if (withNaN) data[13] = Number.NaN;
    return data;
  });
}

/** Coarse values with −0, ±inf and NaNs planted, as a tensor in the given layout. */
function hardInput(shape: number[], format: Format): Tensor {
  const data = coarse(shape, 7, true);
  for (let i = 0; i < data.length; i += 17) data[i] = -0;
  data[11] = Number.POSITIVE_INFINITY;
  data[12] = Number.NEGATIVE_INFINITY;
  data[Math.floor(data.length / 2)] = Number.NaN;
  return tensor(data, shape).contiguous(format);
}

function hardUpstream(shape: number[], format: Format): Tensor {
  const [n, c, h, w] = shape as [number, number, number, number];
  const outShape = [n, c, Math.floor(h / 2), Math.floor(w / 2)];
  const data = randn(outShape, new Generator(8, "input")).dataSync() as Float32Array;
  for (let i = 0; i < data.length; i += 5) data[i] = -0;
  data[1] = Number.NaN;
  return tensor(data, outShape).contiguous(format);
}

interface Outcome {
  output: number[];
  gradient: number[];
  strides: number[][];
}

/** Forward output and input gradient of f, under one upstream gradient, with their strides. */
function run(f: (x: Tensor) => Tensor, x0: Tensor, upstream: Tensor): Outcome {
  return tidy(() => {
    const x = x0.clone().requiresGrad_();
    const y = f(x);
    y.backward(upstream);
    const grad = x.grad!;
    return { output: bits(y), gradient: bits(grad), strides: [y.strides, grad.strides] };
  });
}

const aten = (x: Tensor) => F.maxPool2d(x, 2).relu();

// SmallCNN's shapes on Fashion-MNIST (28 → 14 → 7), odd sizes, channel tails (5, 33), widths
// with a tail after four windows (9, 12), one image, and the smallest output that is fused.
const SHAPES = [
  [2, 16, 28, 28],
  [2, 32, 14, 14],
  [2, 32, 7, 7],
  [3, 5, 7, 9],
  [1, 33, 5, 12],
  [3, 4, 5, 4],
  [2, 2, 4, 4],
];
const threadsBefore = determinismState().threads;
afterAll(() => setThreads(threadsBefore));

for (const format of ["contiguous", "channels_last"] as const) {
  describe(`fused ReLU of 2×2 max pooling, ${format}`, () => {
    for (const threads of [1, 2]) {
      it(`gives ATen's max_pool2d then relu bit for bit, gradients and strides too (${threads} thread${threads > 1 ? "s" : ""})`, () => {
        setThreads(threads);
        const before = liveTensors();
        for (const shape of SHAPES) {
          tidy(() => {
            const x = hardInput(shape, format);
            const upstream = hardUpstream(shape, format);
            const fused = run(reluOfMaxPool, x, upstream);
            expect(fused, `shape ${shape.join("×")}`).toEqual(run(aten, x, upstream));
            // The inputs do hold the cases the identity must survive.
            const pooled = Array.from(F.maxPool2d(x, 2).contiguous().dataSync() as Float32Array);
            expect(pooled.some((v) => v <= 0)).toBe(true);
            expect(pooled.some(Number.isNaN)).toBe(true);
          });
        }
        expect(liveTensors()).toBe(before);
      });
    }

    it("gives the same output with gradients off, and large layers split over 2 threads alike", () => {
      tidy(() => {
        const x = hardInput([8, 16, 28, 28], format);
        setThreads(1);
        const one = bits(reluOfMaxPool(x));
        setThreads(2);
        const two = bits(reluOfMaxPool(x));
        const off = noGrad(() => bits(reluOfMaxPool(x.clone().requiresGrad_())));
        expect(two).toEqual(one);
        expect(off).toEqual(one);
        expect(one).toEqual(bits(aten(x)));
      });
    });

    it("leaves what it does not fuse to ATen: float64, outputs under 2×2, one channel", () => {
      tidy(() => {
        for (const [shape, dtype] of [
          [[2, 3, 6, 6], "float64"],
          [[2, 3, 3, 3], "float32"],
          [[2, 3, 2, 8], "float32"],
          [[2, 1, 8, 8], "float32"],
        ] as const) {
          const x = hardInput([...shape], format).to({ dtype });
          const upstream = hardUpstream([...shape], format).to({ dtype });
          expect(run(reluOfMaxPool, x, upstream)).toEqual(run(aten, x, upstream));
        }
      });
    });

    for (const withNaN of [false, true]) {
      it(`pooling then ReLU gives ReLU then pooling's outputs and gradients bit for bit${withNaN ? " (with a NaN)" : ""}`, () => {
        tidy(() => {
          const x = tensor(coarse([4, 8, 6, 6], 7, withNaN), [4, 8, 6, 6]).contiguous(format);
          const upstream = randn([4, 8, 3, 3], new Generator(8, "input")).contiguous(format);
          const pooledFirst = run(reluOfMaxPool, x, upstream);
          const reluFirst = run((t) => F.maxPool2d(t.relu(), 2), x, upstream);
          expect(pooledFirst.output).toEqual(reluFirst.output);
          expect(pooledFirst.gradient).toEqual(reluFirst.gradient);
          const values = x.dataSync() as Float32Array;
          expect(values.filter((v) => v === 0).length).toBeGreaterThan(10);
          const negativeWindows = F.maxPool2d(x, 2).le(0).to({ dtype: "float32" }).sum().item();
          expect(negativeWindows).toBeGreaterThan(5);
        });
      });
    }
  });
}

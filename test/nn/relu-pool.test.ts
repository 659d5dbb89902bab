/**
 * SmallCNN and MediumCNN pool before their ReLU (src/nn/models/relu-pool.ts). That must be
 * the same numbers as ReLU then pooling, outputs and input gradients bit for bit (tolerance 0:
 * the claim is an identity, not an approximation), on inputs built to catch the cases where
 * it could break: windows whose every element is negative, ties (values on a coarse grid),
 * exact zeros, and a NaN; in both memory layouts.
 */
import { describe, expect, it } from "vitest";
import { F, Generator, randn, type Tensor, tensor, tidy } from "../../src/engine/index.js";
import { reluOfMaxPool } from "../../src/nn/models/relu-pool.js";

const bits = (t: Tensor): number[] =>
  tidy(() => Array.from(new Uint32Array(t.contiguous().dataSync().buffer)));

/** Values in steps of 0.5 around zero: many ties, many zeros, whole negative windows. */
function input(format: "contiguous" | "channels_last", withNaN: boolean): Tensor {
  const g = new Generator(7, "input");
  return tidy(() => {
    const values = randn([4, 8, 6, 6], g).mul(2).round().div(2).sub(0.5);
    const data = values.dataSync() as Float32Array;
    if (withNaN) data[13] = Number.NaN;
    return tensor(data, [4, 8, 6, 6]).contiguous(format);
  });
}

/** Forward output and input gradient of f, under one upstream gradient. */
function run(f: (x: Tensor) => Tensor, x0: Tensor, upstream: Tensor): [number[], number[]] {
  return tidy(() => {
    const x = x0.clone().requiresGrad_();
    const y = f(x);
    y.backward(upstream);
    return [bits(y), bits(x.grad!)];
  });
}

for (const format of ["contiguous", "channels_last"] as const) {
  describe(`max pooling before ReLU, ${format}`, () => {
    for (const withNaN of [false, true]) {
      it(`gives ReLU-then-pooling's outputs and gradients bit for bit${withNaN ? " (with a NaN)" : ""}`, () => {
        tidy(() => {
          const x = input(format, withNaN);
          const upstream = randn([4, 8, 3, 3], new Generator(8, "input")).contiguous(format);
          const [y, grad] = run(reluOfMaxPool, x, upstream);
          const [yRef, gradRef] = run((t) => F.maxPool2d(t.relu(), 2), x, upstream);
          expect(y).toEqual(yRef);
          expect(grad).toEqual(gradRef);
          // The inputs do hold the cases the identity must survive.
          const values = x.dataSync() as Float32Array;
          expect(values.filter((v) => v === 0).length).toBeGreaterThan(10);
          const negativeWindows = F.maxPool2d(x, 2).le(0).to({ dtype: "float32" }).sum().item();
          expect(negativeWindows).toBeGreaterThan(5);
        });
      });
    }
  });
}

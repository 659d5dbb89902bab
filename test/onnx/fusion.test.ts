/**
 * Which Relu and 2×2 MaxPool pairs run fused (src/onnx/fusion.ts): only where the first
 * node's output goes nowhere else and the pooling is exactly 2×2, stride 2, unpadded; and a
 * fused graph computes what the same graph unfused computes (here and, bit for bit against
 * the zoo's SmallCNN, in test/bench/onnx-vs-zoo.test.ts).
 */
import { describe, expect, it } from "vitest";
import { Generator, randn, tidy } from "../../src/engine/index.js";
import { reluPoolPairs } from "../../src/onnx/fusion.js";
import { OnnxModule, parseOnnxModel } from "../../src/onnx/index.js";
import { modelBytes, type NodeSpec } from "./build-model.js";

const pool = (input: string, output: string, ints: Record<string, number[]> = {}): NodeSpec => ({
  op: "MaxPool",
  inputs: [input],
  outputs: [output],
  name: `pool-${output}`,
  intLists: { kernel_shape: [2, 2], strides: [2, 2], ...ints },
});
const relu = (input: string, output: string): NodeSpec => ({
  op: "Relu",
  inputs: [input],
  outputs: [output],
  name: `relu-${output}`,
});

function graph(nodes: NodeSpec[], outputs = [nodes.at(-1)!.outputs[0]!]) {
  return parseOnnxModel(
    modelBytes({ nodes, inputs: [{ name: "x", dims: [2, 3, 8, 8] }], outputs }),
    "fusion.onnx",
  );
}

describe("reluPoolPairs", () => {
  it("fuses Relu → MaxPool and MaxPool → Relu", () => {
    const pairs = reluPoolPairs(
      graph([relu("x", "a"), pool("a", "b"), pool("b", "c"), relu("c", "d")]).graph,
    );
    expect([...pairs.values()]).toEqual([
      { first: 0, second: 1, input: "x", output: "b" },
      { first: 2, second: 3, input: "b", output: "d" },
    ]);
  });

  it("leaves a pair whose middle value is read elsewhere or is a graph output", () => {
    const twice = graph([
      relu("x", "a"),
      pool("a", "b"),
      { op: "Add", inputs: ["a", "a"], outputs: ["s"], name: "add" },
    ]);
    expect(reluPoolPairs(twice.graph).size).toBe(0);
    expect(reluPoolPairs(graph([relu("x", "a"), pool("a", "b")], ["a", "b"]).graph).size).toBe(0);
  });

  it("leaves poolings other than 2×2 stride 2 unpadded", () => {
    const variants: Record<string, number[]>[] = [
      { kernel_shape: [3, 3] },
      { strides: [1, 1] },
      { pads: [0, 0, 1, 1] },
      { dilations: [2, 2] },
    ];
    for (const ints of variants) {
      expect(
        reluPoolPairs(graph([relu("x", "a"), pool("a", "b", ints)]).graph).size,
        JSON.stringify(ints),
      ).toBe(0);
    }
  });

  it("computes what the two ops compute, forward and backward", () => {
    // With `a` also a graph output the pair is not fused: Relu, then MaxPool.
    const run = (outputs: string[]) =>
      tidy(() => {
        const model = graph([relu("x", "a"), pool("a", "b")], outputs);
        expect(reluPoolPairs(model.graph).size).toBe(outputs.length === 1 ? 1 : 0);
        const module = new OnnxModule(model, { dropoutGenerator: new Generator(0, "dropout") });
        const x = randn([2, 3, 8, 8], new Generator(1, "input")).requiresGrad_();
        const y = module.run(new Map([["x", x]]))[0]!;
        y.sum().backward();
        const result = JSON.stringify([
          Array.from(y.dataSync() as Float32Array),
          Array.from(x.grad!.dataSync() as Float32Array),
        ]);
        module.dispose();
        return result;
      });
    expect(run(["b"])).toBe(run(["b", "a"]));
  });
});

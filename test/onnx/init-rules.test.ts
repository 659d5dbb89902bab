/**
 * `--init pytorch|glorot` on an imported graph: the role of each initializer read from the
 * graph (Conv, grouped Conv, Gemm with and without transB, MatMul and the Add of its bias,
 * the norms), its fan_in against PyTorch's for the module it stands for, the bound of each
 * rule against torch's (scripts/fixtures/onnx_init.py), the values a seed gives against the
 * values torch draws from the same seed for a small module and for two modules exported by
 * PyTorch (a CNN with BatchNorm and a grouped convolution, a residual MLP with LayerNorm:
 * the whole initial state_dict), and the law of many draws.
 *
 * Tolerances: bounds are the same double-precision formulas as torch's, |Δ| ≤ 1e-15 relative.
 * Drawn values are float32 from the same generator (nnr's is libtorch's mt19937): |Δ| ≤ 1e-7,
 * about one float32 ulp at these magnitudes, which holds for a fixture written on another CPU.
 * The law: every draw within ±bound, the largest |draw| within 0.2 % of the bound (missed with
 * probability (1 − 0.001)^n, below e⁻⁹ for n ≥ 18,432), and the sample std within 2 % of
 * bound/√3 (the std of the sample std of n uniform draws is 0.447·σ/√n: 2 % is over 6 of them
 * for every case here).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Generator, type Tensor, tensor, zeros } from "../../src/engine/index.js";
import { OnnxClassifier, parseOnnxModel } from "../../src/onnx/index.js";
import { type InitRole, initRoles } from "../../src/onnx/init-roles.js";
import {
  type DrawnInitRule,
  glorotBound,
  initValue,
  pytorchWeightBound,
  reinitialize,
} from "../../src/onnx/init-rules.js";
import { PYTHON, pytorchReference } from "../engine/pytorch-reference.js";
import { type ModelSpec, modelBytes, type NodeSpec } from "./build-model.js";

interface TorchCase {
  name: string;
  weightShape: number[];
  fanIn: number;
  fanOut: number;
  pytorchWeightBound: number;
  pytorchBiasBound: number;
  glorotBound: number;
  pytorchWeight?: number[];
  pytorchBias?: number[];
  glorotWeight?: number[];
}

/** The script builds onnx_models.py's modules, which imports Python's onnx (python3-onnx). */
const onnxMissing =
  spawnSync(PYTHON, ["-c", "import onnx"]).status === 0 ? null : `${PYTHON} has no onnx module`;
const reference = pytorchReference(
  "onnx_init.py",
  new URL("./fixtures/init_rules.json", import.meta.url).pathname,
  [],
  onnxMissing,
);
const fixture = JSON.parse(readFileSync(reference.path, "utf8")) as {
  seed: number;
  cases: TorchCase[];
  /** Each exported module's initial state_dict under torch.manual_seed(seed). */
  modules: Record<string, Record<string, number[]>>;
};
const exported = (name: string) => new URL(`./fixtures/${name}.onnx`, import.meta.url).pathname;
const torchCase = (name: string) => fixture.cases.find((c) => c.name === name)!;

const zerosOf = (dims: number[]) => ({
  dims,
  floats: new Array<number>(dims.reduce((a, b) => a * b, 1)).fill(0),
});

/** The graph a PyTorch module becomes: its weight (in the exporter's layout) and its bias. */
function layerGraph(name: string): { spec: ModelSpec; weight: string; bias: string } {
  const c = torchCase(name.replace(/_gemm_kn$/, ""));
  const [out, inFeatures] = [c.weightShape[0]!, c.weightShape[1]!];
  const conv = name.includes("conv");
  const matmul = name.includes("matmul");
  const kn = name.endsWith("_gemm_kn");
  const weightDims = conv ? c.weightShape : matmul || kn ? [inFeatures, out] : [out, inFeatures];
  const nodes: NodeSpec[] = matmul
    ? [
        { op: "MatMul", inputs: ["x", "w"], outputs: ["mm"] },
        { op: "Add", inputs: ["mm", "b"], outputs: ["y"] },
      ]
    : [
        {
          op: conv ? "Conv" : "Gemm",
          inputs: ["x", "w", "b"],
          outputs: ["y"],
          ...(conv ? {} : { ints: { transB: kn ? 0 : 1 } }),
        },
      ];
  const spec: ModelSpec = {
    nodes,
    initializers: [
      { name: "w", ...zerosOf(weightDims) },
      { name: "b", ...zerosOf([out]) },
    ],
    inputs: [{ name: "x", dims: [1, 1] }],
    outputs: ["y"],
  };
  return { spec, weight: "w", bias: "b" };
}

function rolesOf(spec: ModelSpec): Map<string, InitRole> {
  return initRoles(parseOnnxModel(modelBytes(spec), "layer.onnx").graph);
}

/** The graph's weight and bias drawn by `rule` from a generator seeded `seed`. */
function drawn(name: string, rule: DrawnInitRule, seed: number): [Float32Array, Float32Array] {
  const { spec, weight, bias } = layerGraph(name);
  const tensors = spec.initializers!.map((t) => [t.name, zeros(t.dims)] as [string, Tensor]);
  const kept = reinitialize(tensors, rolesOf(spec), rule, new Generator(seed, "init"));
  expect(kept).toEqual([]);
  const [w, b] = [weight, bias].map((n) => {
    const t = tensors.find(([own]) => own === n)![1];
    const values = t.dataSync() as Float32Array;
    t.dispose();
    return values;
  });
  return [w!, b!];
}

function expectClose(actual: ArrayLike<number>, expected: readonly number[], atol: number) {
  expect(actual.length).toBe(expected.length);
  const worst = expected.reduce((m, v, i) => Math.max(m, Math.abs(actual[i]! - v)), 0);
  expect(worst).toBeLessThanOrEqual(atol);
}

function expectUniformLaw(values: Float32Array, bound: number) {
  let [max, sumSq, sum] = [0, 0, 0];
  for (const v of values) {
    max = Math.max(max, Math.abs(v));
    sum += v;
    sumSq += v * v;
  }
  const n = values.length;
  const std = Math.sqrt((sumSq - (sum * sum) / n) / (n - 1));
  expect(max).toBeLessThanOrEqual(bound);
  expect(max).toBeGreaterThan(bound * 0.998);
  expect(Math.abs(std / (bound / Math.sqrt(3)) - 1)).toBeLessThan(0.02);
}

const LAYERS = ["conv", "grouped_conv", "linear", "conv_large", "depthwise_conv_large"];
const LARGE = [
  "conv_large",
  "depthwise_conv_large",
  "linear_large",
  "linear_large_gemm_kn",
  "linear_matmul_large",
];

describe(`the init rules of an imported graph (PyTorch: ${reference.source})`, () => {
  it("read each weight's fan_in and fan_out from the graph as PyTorch's for the module", () => {
    for (const name of [...LAYERS, ...LARGE]) {
      const c = torchCase(name.replace(/_gemm_kn$/, ""));
      const roles = rolesOf(layerGraph(name).spec);
      expect(roles.get("w"), name).toMatchObject({ kind: "weight", fanIn: c.fanIn });
      expect(roles.get("w"), name).toMatchObject({ fanOut: c.fanOut });
      expect(roles.get("b"), name).toMatchObject({ kind: "bias", fanIn: c.fanIn });
    }
  });

  it("bound each rule as torch does: kaiming_uniform(a=√5), U(±1/√fan_in), xavier_uniform", () => {
    for (const c of fixture.cases) {
      const weight: InitRole = { kind: "weight", op: "Conv", fanIn: c.fanIn, fanOut: c.fanOut };
      const bias: InitRole = { kind: "bias", op: "Conv", fanIn: c.fanIn };
      const close = (a: number, b: number) => expect(Math.abs(a / b - 1)).toBeLessThan(1e-15);
      close(pytorchWeightBound(c.fanIn), c.pytorchWeightBound);
      close((initValue("pytorch", weight) as { bound: number }).bound, c.pytorchWeightBound);
      close((initValue("pytorch", bias) as { bound: number }).bound, c.pytorchBiasBound);
      close(glorotBound(c.fanIn, c.fanOut), c.glorotBound);
      expect(initValue("glorot", bias)).toEqual({ constant: 0 });
    }
  });

  it("draw PyTorch's values from the same seed, in the module's order (weight, then bias)", () => {
    for (const name of ["conv", "grouped_conv", "linear"]) {
      const c = torchCase(name);
      const [w, b] = drawn(name, "pytorch", fixture.seed);
      expectClose(w, c.pytorchWeight!, 1e-7);
      expectClose(b, c.pytorchBias!, 1e-7);
      const [glorot, zeroBias] = drawn(name, "glorot", fixture.seed);
      expectClose(glorot, c.glorotWeight!, 1e-7);
      expect([...zeroBias].every((v) => v === 0)).toBe(true);
    }
  });

  it("give a CNN exported by PyTorch the initial state PyTorch gives it from the same seed", () => {
    const file = exported("bn_cnn");
    const model = new OnnxClassifier(parseOnnxModel(readFileSync(file), file), {
      classes: 5,
      inputShape: [3, 8, 8],
      memoryFormat: "contiguous",
      dropoutGenerator: new Generator(0, "dropout"),
      init: { rule: "pytorch", generator: new Generator(fixture.seed, "init") },
    });
    const state = new Map(
      [...model.stateDict()].map(([n, t]) => [n, [...(t.dataSync() as Float32Array)]]),
    );
    model.dispose();
    const expected = fixture.modules.bn_cnn!;
    expect([...state.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [name, values] of Object.entries(expected))
      expectClose(state.get(name)!, values, 1e-7);
    expect(model.notes[0]).toMatch(/^init: every parameter drawn from the init generator/);
    expect(model.notes[0]).not.toContain("kept");
  });

  it("give a residual MLP exported by PyTorch the initial state PyTorch gives it", () => {
    const file = exported("residual_mlp");
    const graph = parseOnnxModel(readFileSync(file), file).graph;
    const expected = fixture.modules.residual_mlp!;
    const members = graph.initializers
      .filter((t) => t.name in expected)
      .map((t) => [t.name, zeros(t.dims)] as [string, Tensor]);
    expect(members).toHaveLength(Object.keys(expected).length);
    reinitialize(members, initRoles(graph), "pytorch", new Generator(fixture.seed, "init"));
    for (const [name, t] of members) {
      expectClose(t.dataSync() as Float32Array, expected[name]!, 1e-7);
      t.dispose();
    }
  });

  it("draw many within the bound, with the uniform law's spread", () => {
    for (const name of LARGE) {
      const c = torchCase(name.replace(/_gemm_kn$/, ""));
      const [w, b] = drawn(name, "pytorch", 3);
      expectUniformLaw(w, c.pytorchWeightBound);
      expect(Math.max(...[...b].map(Math.abs))).toBeLessThanOrEqual(c.pytorchBiasBound);
      const [glorot] = drawn(name, "glorot", 3);
      expectUniformLaw(glorot, c.glorotBound);
    }
  });

  it("give one seed the same bits and two seeds different weights", () => {
    const [a] = drawn("linear_large", "pytorch", 11);
    const [again] = drawn("linear_large", "pytorch", 11);
    const [other] = drawn("linear_large", "pytorch", 12);
    expect(Buffer.from(again.buffer).equals(Buffer.from(a.buffer))).toBe(true);
    const same = a.filter((v, i) => v === other[i]).length;
    expect(same).toBeLessThan(a.length / 1000);
  });

  it("set norms to 1 and 0 and running statistics to 0 and 1; keep what no rule covers", () => {
    const spec: ModelSpec = {
      nodes: [
        {
          op: "BatchNormalization",
          inputs: ["x", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"],
          outputs: ["y"],
        },
        { op: "LayerNormalization", inputs: ["y", "ln.weight", "ln.bias"], outputs: ["z"] },
        { op: "Add", inputs: ["z", "pos_embed"], outputs: ["out"] },
      ],
      initializers: ["bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"]
        .map((name) => ({ name, dims: [2], floats: [5, 5] }))
        .concat(
          ["ln.weight", "ln.bias", "pos_embed"].map((name) => ({
            name,
            dims: [2],
            floats: [5, 5],
          })),
        ),
      inputs: [{ name: "x", dims: [1, 2] }],
      outputs: ["out"],
    };
    const tensors = spec.initializers!.map(
      (t) => [t.name, tensor(new Float32Array([5, 5]), [2])] as [string, Tensor],
    );
    const kept = reinitialize(tensors, rolesOf(spec), "pytorch", new Generator(0, "init"));
    const values = Object.fromEntries(tensors.map(([n, t]) => [n, t.toArray()]));
    for (const [, t] of tensors) t.dispose();
    expect(values).toEqual({
      "bn.weight": [1, 1],
      "bn.bias": [0, 0],
      "bn.running_mean": [0, 0],
      "bn.running_var": [1, 1],
      "ln.weight": [1, 1],
      "ln.bias": [0, 0],
      pos_embed: [5, 5],
    });
    expect(kept).toEqual(["pos_embed"]);
  });
});

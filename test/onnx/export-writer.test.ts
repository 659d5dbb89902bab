/**
 * The writer of trained models (src/onnx/write-model.ts) on graphs built in code, without
 * training: the trained values replace the initializers bit for bit, constants and external
 * data come out inline, BatchNormalization takes its inference form at opset 13 (no
 * training_mode attribute there: one output) and 17 (training_mode 0), the batch dim is freed,
 * and trained weights that do not fit the graph are refused in one line.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isUserError } from "../../src/errors.js";
import { parseOnnxModel, type TrainedTensor, trainedModelBytes } from "../../src/onnx/index.js";
import { decodeModel } from "../../src/onnx/proto.js";
import { linearNode, type ModelSpec, modelBytes } from "./build-model.js";

const dir = mkdtempSync(join(tmpdir(), "nnr-export-writer-"));

function bnModel(opset: number, external = false): { file: string; bytes: Uint8Array } {
  const spec: ModelSpec = {
    opset,
    nodes: [
      linearNode("fc", "x", "h"),
      { op: "Unsqueeze", inputs: ["h", "axes"], outputs: ["h3"], name: "unsqueeze" },
      {
        op: "BatchNormalization",
        inputs: ["h3", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"],
        // Training mode: the running statistics as extra outputs (how opset 13 marks it).
        outputs: ["y", "mean_out", "var_out"],
        name: "bn",
        ...(opset >= 14 ? { ints: { training_mode: 1 } } : {}),
        floatAttrs: { momentum: 0.9 },
      },
    ],
    initializers: [
      external
        ? { name: "fc.weight", dims: [2, 3], external: { location: "w.bin" } }
        : { name: "fc.weight", dims: [2, 3], floats: [1, 2, 3, 4, 5, 6] },
      { name: "fc.bias", dims: [2], floats: [0, 0] },
      { name: "axes", dims: [1], dataType: 7, int64s: [2] },
      { name: "bn.weight", dims: [2], floats: [1, 1] },
      { name: "bn.bias", dims: [2], floats: [0, 0] },
      { name: "bn.running_mean", dims: [2], floats: [0, 0] },
      { name: "bn.running_var", dims: [2], floats: [1, 1] },
    ],
    inputs: [{ name: "x", dims: [1, 3] }],
    outputs: ["y"],
  };
  const folder = mkdtempSync(join(dir, `opset${opset}-`));
  if (external) writeFileSync(join(folder, "w.bin"), new Float32Array([1, 2, 3, 4, 5, 6]));
  const file = join(folder, "model.onnx");
  const bytes = modelBytes(spec);
  writeFileSync(file, bytes);
  return { file, bytes };
}

const f32 = (dims: number[], values: number[]): TrainedTensor => ({
  dims,
  data: new Float32Array(values),
});

function trainedState(): Map<string, TrainedTensor> {
  return new Map([
    ["fc.weight", f32([2, 3], [0.1, -0.2, 0.3, Math.PI, -Math.E, 1e-30])],
    ["fc.bias", f32([2], [0.5, -0.5])],
    ["bn.weight", f32([2], [1.5, 0.75])],
    ["bn.bias", f32([2], [0.25, -0.25])],
    ["bn.running_mean", f32([2], [0.125, 2.5])],
    ["bn.running_var", f32([2], [3.5, 0.0625])],
  ]);
}

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    expect(isUserError(error), String(error)).toBe(true);
    expect((error as Error).message).not.toContain("\n");
    return (error as Error).message;
  }
  throw new Error("not refused");
}

describe("trainedModelBytes", () => {
  it.each([13, 17])(
    "opset %i: trained values bit for bit, BatchNorm in inference form",
    (opset) => {
      const { file, bytes } = bnModel(opset, true);
      const trained = trainedState();
      const written = trainedModelBytes(bytes, file, trained);
      // Read back from another folder: nothing refers to the original's external file.
      const elsewhere = join(mkdtempSync(join(dir, "elsewhere-")), "trained.onnx");
      const model = parseOnnxModel(written, elsewhere);
      for (const [name, value] of trained) {
        const t = model.graph.initializers.find((i) => i.name === name)!;
        expect(t.dims, name).toEqual(value.dims);
        expect(Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)).toEqual(
          Buffer.from(value.data.buffer),
        );
      }
      const axes = model.graph.initializers.find((i) => i.name === "axes")!;
      expect(Array.from(axes.data as BigInt64Array)).toEqual([2n]);
      const bn = model.graph.nodes.find((n) => n.opType === "BatchNormalization")!;
      expect(bn.outputs).toEqual(["y"]);
      expect(bn.attributes.get("training_mode")).toEqual(
        opset >= 14 ? { kind: "int", value: 0 } : undefined,
      );
      expect(bn.attributes.get("momentum")?.kind).toBe("float");
      const input = decodeModel(written).graph!.input![0]!;
      expect(input.type!.tensorType!.shape!.dim![0]!.dimParam).toBe("N");
      expect(Number(input.type!.tensorType!.shape!.dim![1]!.dimValue)).toBe(3);
    },
  );

  it("refuses trained weights that do not fit the graph, in one line", () => {
    const { file, bytes } = bnModel(17);
    const missing = trainedState();
    missing.delete("bn.running_var");
    expect(refusal(() => trainedModelBytes(bytes, file, missing))).toContain(
      "the checkpoint lacks 'bn.running_var'",
    );
    const extra = trainedState();
    extra.set("head.weight", f32([1], [0]));
    expect(refusal(() => trainedModelBytes(bytes, file, extra))).toContain(
      "the graph has no initializer 'head.weight'",
    );
    const reshaped = trainedState();
    reshaped.set("fc.weight", f32([3, 2], [1, 2, 3, 4, 5, 6]));
    expect(refusal(() => trainedModelBytes(bytes, file, reshaped))).toContain(
      "initializer 'fc.weight' is [2, 3] in the graph, the trained weight [3, 2]",
    );
    expect(refusal(() => trainedModelBytes(bytes.subarray(0, 30), file, trainedState()))).toContain(
      "not an ONNX model",
    );
  });
});

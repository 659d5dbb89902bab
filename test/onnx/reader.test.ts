/**
 * The ONNX reader on good and hostile files: every refusal is one line naming the file and
 * what to do, and comes before anything is allocated for the file's tensors.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Generator, liveTensors, tensor, tidy } from "../../src/engine/index.js";
import { isUserError } from "../../src/errors.js";
import { OnnxModule, readOnnxModel } from "../../src/onnx/index.js";
import { linearModel, type ModelSpec, modelBytes } from "./build-model.js";

const dir = mkdtempSync(join(tmpdir(), "nnr-onnx-reader-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function write(bytes: Uint8Array | string, folder = dir): string {
  const file = join(folder, `model-${counter++}.onnx`);
  writeFileSync(file, bytes);
  return file;
}

/** The one-line message a file is refused with. */
function refusal(file: string, build = false): string {
  try {
    const model = readOnnxModel(file);
    if (build) new OnnxModule(model, { dropoutGenerator: new Generator(0, "dropout") }).dispose();
  } catch (error) {
    expect(isUserError(error), String(error)).toBe(true);
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    expect(message.startsWith(file)).toBe(true);
    return message;
  }
  throw new Error(`${file} was not refused`);
}

const dropoutGenerator = () => new Generator(0, "dropout");

describe("reading a model", () => {
  it("reads a Gemm model, names its parameters by their ONNX names, and computes x·Wᵀ + b", () => {
    const before = liveTensors();
    const module = new OnnxModule(readOnnxModel(write(modelBytes(linearModel()))), {
      dropoutGenerator: dropoutGenerator(),
    });
    expect([...module.stateDict().keys()]).toEqual(["fc.0.weight", "fc.0.bias"]);
    expect(module.parameterCount()).toBe(8);
    // [1, 1, 1]·[[1,2,3],[4,5,6]]ᵀ + [0.5, -0.5] = [6.5, 14.5], by hand.
    const y = tidy(() => module.forward(tensor([1, 1, 1], [1, 3])).toArray());
    expect(y).toEqual([6.5, 14.5]);
    module.dispose();
    expect(liveTensors()).toBe(before);
  });

  it("takes opsets 13 and 21", () => {
    expect(readOnnxModel(write(modelBytes(linearModel(13)))).opset).toBe(13);
    expect(readOnnxModel(write(modelBytes(linearModel(21)))).opset).toBe(21);
  });
});

describe("refusing a model", () => {
  it("refuses a missing, empty, text or truncated file", () => {
    expect(refusal(join(dir, "absent.onnx"))).toContain("no such model file");
    expect(refusal(write(""))).toContain("not an ONNX model (the file is empty)");
    expect(refusal(write("hello, this is not a model\n".repeat(20)))).toContain(
      "not an ONNX model",
    );
    const bytes = modelBytes(linearModel());
    expect(refusal(write(bytes.subarray(0, bytes.length - 7)))).toContain("not an ONNX model");
  });

  it("refuses opsets outside 13..21, saying which opset to export with", () => {
    expect(refusal(write(modelBytes(linearModel(12))))).toContain(
      "opset 12, outside the 13..21 nnr reads; export again with opset_version=17",
    );
    expect(refusal(write(modelBytes(linearModel(22))))).toContain("opset 22");
  });

  it("refuses an unsupported op, naming the op, the node and the opset", () => {
    const spec: ModelSpec = {
      nodes: [{ op: "Resize", inputs: ["x"], outputs: ["y"], name: "up/Resize" }],
      inputs: [{ name: "x", dims: [1, 3] }],
      outputs: ["y"],
    };
    expect(refusal(write(modelBytes(spec)), true)).toContain(
      "node 'up/Resize' is Resize (opset 17), an op nnr does not support",
    );
    const custom = { ...spec, nodes: [{ ...spec.nodes[0]!, domain: "com.microsoft", op: "Gelu" }] };
    expect(refusal(write(modelBytes(custom)), true)).toContain("is com.microsoft.Gelu");
  });

  it("refuses float64 weights", () => {
    const spec = linearModel();
    spec.initializers![0] = {
      name: "fc.0.weight",
      dims: [2, 3],
      dataType: 11,
      raw: new Uint8Array(48),
    };
    expect(refusal(write(modelBytes(spec)))).toContain(
      "float64 weights; export the model in float32",
    );
  });

  it("refuses a shape whose size overflows, or that the data does not fill", () => {
    const huge = linearModel();
    huge.initializers![0] = { name: "w", dims: [2 ** 40, 2 ** 40], raw: new Uint8Array(4) };
    expect(refusal(write(modelBytes(huge)))).toContain("not a valid shape");
    const big = linearModel();
    big.initializers![0] = { name: "w", dims: [2 ** 20, 2 ** 20], raw: new Uint8Array(4) };
    expect(refusal(write(modelBytes(big)))).toMatch(
      /more than this machine can hold|damaged or truncated/,
    );
    const short = linearModel();
    short.initializers![0] = { name: "w", dims: [2, 3], floats: [1, 2] };
    expect(refusal(write(modelBytes(short)))).toContain("holds 2 elements where its dims need 6");
    const negative = linearModel();
    negative.initializers![0] = { name: "w", dims: [-1, 3], floats: [1, 2, 3] };
    expect(refusal(write(modelBytes(negative)))).toContain("not a valid shape");
  });

  it("reads external data beside the model and refuses paths that leave its folder", () => {
    const folder = mkdtempSync(join(dir, "external-"));
    writeFileSync(
      join(folder, "weights.bin"),
      Buffer.from(new Float32Array([1, 2, 3, 4, 5, 6]).buffer),
    );
    const withExternal = (location: string, offset?: number) => {
      const spec = linearModel();
      spec.initializers![0] = { name: "fc.0.weight", dims: [2, 3], external: { location, offset } };
      return write(modelBytes(spec), folder);
    };
    const model = readOnnxModel(withExternal("weights.bin"));
    expect(Array.from(model.graph.initializers[0]!.data as Float32Array)).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
    writeFileSync(join(dir, "secret.bin"), new Uint8Array(64));
    expect(refusal(withExternal("../secret.bin"))).toContain("which leaves the model's folder");
    expect(refusal(withExternal(join(dir, "secret.bin")))).toContain("not a relative path");
    symlinkSync(join(dir, "secret.bin"), join(folder, "link.bin"));
    expect(refusal(withExternal("link.bin"))).toContain("which leaves the model's folder");
    expect(refusal(withExternal("weights.bin", 8))).toContain(
      "the external data file is truncated",
    );
    expect(refusal(withExternal("missing.bin"))).toContain("which does not exist");
    mkdirSync(join(folder, "sub"));
    expect(refusal(withExternal("sub/../../secret.bin"))).toContain("leaves the model's folder");
  });
});

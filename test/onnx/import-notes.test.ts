/** What an eval-mode export loses is said in one line each; a training-mode export loses nothing. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { importNotes, parseOnnxModel } from "../../src/onnx/index.js";
import { modelBytes } from "./build-model.js";

function bnDropoutModel(training: boolean) {
  const channel = (name: string, v: number) => ({ name, dims: [2], floats: [v, v] });
  return parseOnnxModel(
    modelBytes({
      nodes: [
        {
          op: "BatchNormalization",
          inputs: ["x", "bn.weight", "bn.bias", "bn.running_mean", "bn.running_var"],
          outputs: training ? ["y", "m", "v"] : ["y"],
          ints: { training_mode: training ? 1 : 0 },
        },
        { op: "Dropout", inputs: ["y", "ratio", "mode"], outputs: ["z"] },
      ],
      initializers: [
        channel("bn.weight", 1),
        channel("bn.bias", 0),
        channel("bn.running_mean", 0),
        channel("bn.running_var", 1),
        { name: "ratio", dims: [], floats: [0.5] },
        { name: "mode", dims: [], dataType: 9, int32s: [training ? 1 : 0] },
      ],
      inputs: [{ name: "x", dims: [4, 2] }],
      outputs: ["z"],
    }),
    "net.onnx",
  );
}

describe("import notes", () => {
  it("say that BatchNorm and Dropout exported in inference mode do not train", () => {
    const notes = importNotes(bnDropoutModel(false));
    expect(notes).toHaveLength(3);
    expect(notes[0]).toContain("init: the weights of net.onnx, the same in every run");
    expect(notes[1]).toContain("1 BatchNormalization node(s) were exported in inference mode");
    expect(notes[2]).toContain("1 Dropout node(s) were exported in inference mode");
    for (const note of notes) expect(note).not.toContain("\n");
  });

  it("say only the init source's for a training-mode export", () => {
    expect(importNotes(bnDropoutModel(true))).toHaveLength(1);
    const file = new URL("./fixtures/bn_cnn.onnx", import.meta.url).pathname;
    expect(importNotes(parseOnnxModel(readFileSync(file), file))).toHaveLength(1);
  });
});

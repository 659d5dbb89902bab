/**
 * Checkpoints: weights and training state round-trip through safetensors in TS, and a weights
 * file crosses to PyTorch and back unchanged (scripts/fixtures/nn_roundtrip.py; skipped,
 * saying why, when Python's torch is absent). Weights compare exactly (a file round trip);
 * the logits, computed by both sides here on this CPU, within 1e-5.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Generator, liveTensors, rand, randn, type Tensor, tidy } from "../../src/engine/index.js";
import { type NamedTensor, readSafetensors, writeSafetensors } from "../../src/io/safetensors.js";
import {
  fromSafetensorsEntry,
  loadTrainingCheckpoint,
  loadWeights,
  saveTrainingCheckpoint,
  saveWeights,
  toSafetensorsEntry,
} from "../../src/nn/checkpoint.js";
import { categoricalCrossEntropy } from "../../src/nn/losses.js";
import { createModel, type Model } from "../../src/nn/models/index.js";
import { Adam, type Optimizer, SGD } from "../../src/nn/optim/index.js";
import { PYTHON, pythonTorchUnavailable } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "nnr-nn-checkpoint-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const smallCnn = (seed: number, memoryFormat: "contiguous" | "channels_last" = "contiguous") =>
  createModel("smallcnn", {
    generator: new Generator(seed, "init"),
    batchNorm: true,
    memoryFormat,
  });

function trainSteps(model: Model, optimizer: Optimizer, data: Generator, steps: number): number[] {
  const losses: number[] = [];
  for (let i = 0; i < steps; i++) {
    losses.push(
      tidy(() => {
        optimizer.zeroGrad();
        const x = rand([4, 3, 32, 32], data);
        const y = rand([4], data).mul(10).floor().long();
        const loss = categoricalCrossEntropy(model.forward(x), y);
        loss.backward();
        optimizer.step();
        return loss.item();
      }),
    );
  }
  return losses;
}

const sameState = (a: Model, b: Model): boolean =>
  tidy(() => {
    const other = b.stateDict();
    return [...a.stateDict()].every(([name, t]) => t.equal(other.get(name)!));
  });

describe("weights in safetensors (pure TS)", () => {
  it("round-trips every parameter and buffer, from either memory layout", () => {
    const before = liveTensors();
    const source = smallCnn(1, "channels_last");
    tidy(() => {
      source.train().forward(rand([2, 3, 32, 32], new Generator(9))); // moves the running stats
    });
    const path = join(dir, "weights.safetensors");
    saveWeights(path, source, { note: "test" });
    const target = smallCnn(2);
    expect(sameState(source, target)).toBe(false);
    expect(loadWeights(path, target)).toEqual({ note: "test" });
    expect(sameState(source, target)).toBe(true);
    const file = readSafetensors(path);
    expect(file.tensors.get("bn1.num_batches_tracked")).toMatchObject({ dtype: "I64", shape: [] });
    expect(file.tensors.get("conv1.weight")).toMatchObject({ dtype: "F32", shape: [16, 3, 3, 3] });
    source.dispose();
    target.dispose();
    expect(liveTensors()).toBe(before);
  });

  it("refuses a file for another model, naming the keys", () => {
    const path = join(dir, "resnet-like.safetensors");
    writeSafetensors(path, {
      "fc.weight": { dtype: "F32", shape: [1], data: new Float32Array(1) },
    });
    const model = smallCnn(0);
    expect(() => loadWeights(path, model)).toThrow(
      /missing key.*conv1\.weight.*unexpected key.*fc\.weight/,
    );
    model.dispose();
  });

  it("converts bool and int tensors both ways", () => {
    tidy(() => {
      const flags = rand([5], new Generator(3)).gt(0.5);
      const back = fromSafetensorsEntry(toSafetensorsEntry(flags) as NamedTensor);
      expect(back.dtype).toBe("bool");
      expect(back.equal(flags)).toBe(true);
    });
  });
});

describe("training checkpoints", () => {
  for (const kind of ["adam", "sgd"] as const) {
    it(`resuming (${kind}) continues bit for bit as an uninterrupted run`, () => {
      const before = liveTensors();
      const makeOptimizer = (params: Tensor[]): Optimizer =>
        kind === "adam"
          ? new Adam(params, { lr: 1e-3 })
          : new SGD(params, { lr: 0.05, momentum: 0.9, nesterov: true });
      // Uninterrupted: 3 + 2 steps.
      const straight = smallCnn(4);
      const straightOptimizer = makeOptimizer(straight.parameters());
      const straightData = new Generator(77, "input");
      trainSteps(straight, straightOptimizer, straightData, 3);
      const path = join(dir, `train-${kind}.safetensors`);
      saveTrainingCheckpoint(
        path,
        { model: straight, optimizer: straightOptimizer, generators: [straightData] },
        { epoch: 3, config: { model: "smallcnn" } },
      );
      straightOptimizer.lr = 5e-4; // a schedule step after the checkpoint
      const expectedLosses = trainSteps(straight, straightOptimizer, straightData, 2);

      // Resumed: a fresh model, optimizer and generator restored from the file.
      const resumed = smallCnn(99);
      const resumedOptimizer = makeOptimizer(resumed.parameters());
      const resumedData = new Generator(0, "input");
      const metadata = loadTrainingCheckpoint(path, {
        model: resumed,
        optimizer: resumedOptimizer,
        generators: [resumedData],
      });
      expect(metadata).toEqual({ epoch: 3, config: { model: "smallcnn" } });
      resumedOptimizer.lr = 5e-4;
      expect(trainSteps(resumed, resumedOptimizer, resumedData, 2)).toEqual(expectedLosses);
      expect(sameState(straight, resumed)).toBe(true);

      for (const d of [straight, resumed, straightOptimizer, resumedOptimizer]) d.dispose();
      expect(liveTensors()).toBe(before);
    });
  }

  it("refuses a mismatched optimizer or generator set", () => {
    const model = smallCnn(5);
    const adam = new Adam(model.parameters());
    const path = join(dir, "train-check.safetensors");
    saveTrainingCheckpoint(path, {
      model,
      optimizer: adam,
      generators: [new Generator(1, "shuffle")],
    });
    const sgd = new SGD(model.parameters(), { lr: 0.1 });
    expect(() =>
      loadTrainingCheckpoint(path, {
        model,
        optimizer: sgd,
        generators: [new Generator(1, "shuffle")],
      }),
    ).toThrow(/holds Adam state, cannot resume SGD/);
    expect(() =>
      loadTrainingCheckpoint(path, {
        model,
        optimizer: adam,
        generators: [new Generator(1, "augment")],
      }),
    ).toThrow(/missing \[augment\], unexpected \[shuffle\]/);
    expect(() =>
      saveTrainingCheckpoint(path, {
        model,
        optimizer: adam,
        generators: [new Generator(1, "a"), new Generator(2, "a")],
      }),
    ).toThrow(/two generators are named 'a'/);
    saveWeights(path, model);
    expect(() => loadTrainingCheckpoint(path, { model, optimizer: adam, generators: [] })).toThrow(
      /not an nnr training checkpoint/,
    );
    for (const d of [model, adam, sgd]) d.dispose();
  });
});

const noTorch = pythonTorchUnavailable();
describe.skipIf(noTorch !== null)(
  `safetensors round trip with PyTorch${noTorch === null ? "" : ` (skipped: ${noTorch})`}`,
  () => {
    it("PyTorch loads nnr's weights strictly, agrees on the logits, and nnr reads its file back", () => {
      const before = liveTensors();
      const model = smallCnn(11);
      tidy(() => {
        model.train().forward(rand([4, 3, 32, 32], new Generator(12)));
      });
      model.eval();
      const weights = join(dir, "to-python.safetensors");
      const input = join(dir, "input.safetensors");
      const training = join(dir, "training.safetensors");
      const output = join(dir, "from-python.safetensors");
      saveWeights(weights, model, { written_by: "nnr" });
      const optimizer = new Adam(model.parameters());
      saveTrainingCheckpoint(
        training,
        { model, optimizer, generators: [new Generator(3, "shuffle")] },
        { epoch: 1 },
      );
      const x = tidy(() => randn([3, 3, 32, 32], new Generator(13)));
      writeSafetensors(input, { x: toSafetensorsEntry(x) });
      const script = new URL("../../scripts/fixtures/nn_roundtrip.py", import.meta.url).pathname;
      const run = spawnSync(PYTHON, [script, weights, input, output, training], {
        encoding: "utf8",
      });
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);

      const file = readSafetensors(output);
      expect(JSON.parse(file.metadata.metadata!)).toEqual({ written_by: "nnr" });
      expect(JSON.parse(file.metadata.checkpoint_names!)).toEqual(
        expect.arrayContaining(["model.conv1.weight", "generator.shuffle"]),
      );
      expect(JSON.parse(file.metadata.checkpoint_metadata!)).toMatchObject({
        format: "nnr-training-checkpoint",
      });
      tidy(() => {
        const theirs = fromSafetensorsEntry(file.tensors.get("logits")!);
        const ours = model.forward(x);
        expect(theirs.sub(ours).abs().max().item()).toBeLessThan(1e-5);
        const doubled = new Map(
          [...file.tensors]
            .filter(([name]) => name.startsWith("weights."))
            .map(([name, entry]) => [name.slice(8), fromSafetensorsEntry(entry)]),
        );
        const original = new Map([...model.stateDict()].map(([name, t]) => [name, t.clone()]));
        model.loadStateDict(doubled);
        for (const [name, t] of model.stateDict()) {
          const expected = t.dtype === "int64" ? original.get(name)! : original.get(name)!.mul(2);
          expect(t.equal(expected), name).toBe(true);
        }
      });
      x.dispose();
      optimizer.dispose();
      model.dispose();
      expect(liveTensors()).toBe(before);
    });
  },
);

/**
 * The noise sources on an imported model with Dropout (an MLP built as an ONNX graph, trained
 * on 256 examples of the embedded Fashion-MNIST): dropout is a source of its own (its seed in
 * run.json, its switch and seed flags, fixed with the other algorithmic sources by the
 * settings); `--init` re-draws the weights from the init source or keeps the file's; a zoo
 * model refuses `--init`; and a run.json written before dropout was a source (no dropout seed)
 * replays with the old derivation of its masks: one draw of the init generator.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Generator, randint } from "../../src/engine/index.js";
import { isUserError } from "../../src/errors.js";
import { expandPlan, readPlan, sameRuns } from "../../src/experiment/plan.js";
import { validatePlanSpec } from "../../src/experiment/plan-spec.js";
import {
  type RunConfig,
  type RunRequest,
  resolveRunConfig,
  trainRun,
} from "../../src/train/index.js";
import { lcgWeights, modelBytes } from "../onnx/build-model.js";
import { runCli, tempDir } from "./helpers.js";

/** Flatten → Gemm(784→16) → Relu → Dropout(0.5, training) → Gemm(16→10). */
function dropoutMlp(dir: string): string {
  const gemm = (input: string, w: string, b: string, output: string) => ({
    op: "Gemm",
    inputs: [input, w, b],
    outputs: [output],
    ints: { transB: 1 },
  });
  const file = join(dir, "dropout-mlp.onnx");
  const bytes = modelBytes({
    nodes: [
      { op: "Flatten", inputs: ["input"], outputs: ["flat"] },
      gemm("flat", "fc1.weight", "fc1.bias", "h"),
      { op: "Relu", inputs: ["h"], outputs: ["a"] },
      { op: "Dropout", inputs: ["a", "ratio", "training_mode"], outputs: ["d"], name: "drop" },
      gemm("d", "fc2.weight", "fc2.bias", "logits"),
    ],
    initializers: [
      { name: "fc1.weight", dims: [16, 784], floats: lcgWeights(16 * 784, 784, 1) },
      { name: "fc1.bias", dims: [16], floats: lcgWeights(16, 784, 2) },
      { name: "fc2.weight", dims: [10, 16], floats: lcgWeights(10 * 16, 16, 3) },
      { name: "fc2.bias", dims: [10], floats: lcgWeights(10, 16, 4) },
      { name: "ratio", dims: [], floats: [0.5] },
      { name: "training_mode", dims: [], dataType: 9, int32s: [1] },
    ],
    inputs: [{ name: "input", dims: [1, 1, 28, 28] }],
    outputs: ["logits"],
  });
  writeFileSync(file, bytes);
  return file;
}

const TINY = {
  trainExamples: 256,
  testExamples: 64,
  optimizer: { name: "sgd" as const, lr: 0.05 },
  batchSize: 64,
  epochs: 1,
};
const FIXED = { init: true, input: true, dropout: true, impl: true };

describe("dropout and init as noise sources of an imported model", () => {
  const dir = tempDir("onnx-noise");
  const file = dropoutMlp(dir);
  let count = 0;
  const train = async (request: RunRequest) => {
    const config = resolveRunConfig({ model: file, ...TINY, ...request });
    const outDir = join(dir, `run-${count++}`);
    const { record } = await trainRun({ config, outDir, replicate: 0 });
    expect(record.status).toBe("complete");
    return { ...record, outDir };
  };

  it("Control twice gives the same bits; the dropout seed is recorded; init defaults to pytorch", async () => {
    const a = await train({ setting: "control" });
    const b = await train({ setting: "control" });
    expect(a.seeds).toEqual({ init: 0, input: 0, dropout: 0 });
    expect(a.config.deterministic).toEqual(FIXED);
    expect(a.config.init).toBe("pytorch");
    expect(b.weightsSha256).toBe(a.weightsSha256);
    expect(a.notes.join("\n")).toContain("init: every parameter drawn from the init generator");
  }, 120_000);

  it("only dropout random: the masks differ, so the runs do; the other seeds stay fixed", async () => {
    const deterministic = { ...FIXED, dropout: false };
    const a = await train({ deterministic });
    const b = await train({ deterministic });
    expect(a.config.setting).toBe("custom");
    expect([a.seeds.init, a.seeds.input, b.seeds.init, b.seeds.input]).toEqual([0, 0, 0, 0]);
    expect(a.seeds.dropout).not.toBe(b.seeds.dropout);
    expect(a.weightsSha256).not.toBe(b.weightsSha256);
  }, 120_000);

  it("only dropout fixed: its seed is the one given, and it alone changes the masks", async () => {
    const onlyDropout = { init: false, input: false, impl: false, dropout: true };
    const a = await train({ deterministic: onlyDropout, fixedSeeds: { dropout: 5 } });
    expect(a.seeds.dropout).toBe(5);
    expect(a.seeds.init).not.toBe(5);
    const five = await train({ setting: "control", fixedSeeds: { dropout: 5 } });
    const again = await train({ setting: "control", fixedSeeds: { dropout: 5 } });
    const six = await train({ setting: "control", fixedSeeds: { dropout: 6 } });
    expect(again.weightsSha256).toBe(five.weightsSha256);
    expect(six.weightsSha256).not.toBe(five.weightsSha256);
  }, 120_000);

  it("the settings fix dropout with the other algorithmic sources", () => {
    const of = (setting: RunRequest["setting"]) =>
      resolveRunConfig({ model: file, ...TINY, setting }).deterministic.dropout;
    expect([of("algo+impl"), of("algo"), of("impl"), of("control")]).toEqual([
      false,
      false,
      true,
      true,
    ]);
  });

  it("--init file keeps the file's weights: a random init seed changes nothing; pytorch's does", async () => {
    const initRandom = { ...FIXED, init: false };
    const [fileA, fileB] = [
      await train({ deterministic: initRandom, init: "file" }),
      await train({ deterministic: initRandom, init: "file" }),
    ];
    expect(fileA.seeds.init).not.toBe(fileB.seeds.init);
    expect(fileB.weightsSha256).toBe(fileA.weightsSha256);
    expect(fileA.notes).toContain(
      `init: the weights of ${file}, the same in every run (the file fixes the init source)`,
    );
    // Drawn weights and the file's never share a group.
    expect(fileA.group).toMatch(/^dropout-mlp-[0-9a-f]{8}_fashion-mnist_custom$/);
    const [drawnA, drawnB] = [
      await train({ deterministic: initRandom, init: "pytorch" }),
      await train({ deterministic: initRandom, init: "glorot" }),
    ];
    expect(drawnA.weightsSha256).not.toBe(fileA.weightsSha256);
    expect(drawnB.weightsSha256).not.toBe(drawnA.weightsSha256);
    expect(drawnA.group).toBe(fileA.group.replace("_fashion", "-pytorch_fashion"));
    expect(drawnB.group).toBe(fileA.group.replace("_fashion", "-glorot_fashion"));
  }, 180_000);

  it("takes dropout's switch and seed from the command line, and refuses a seed it would not use", async () => {
    const flags = ["--model", file, "--optimizer", "sgd", "--lr", "0.05", "--batch-size", "64"];
    const tiny = [...flags, "--epochs", "1", "--train-examples", "128", "--test-examples", "64"];
    const out = join(dir, "cli-dropout");
    const fixed = await runCli([
      "train",
      "--out",
      out,
      ...tiny,
      "--setting",
      "algo",
      "--deterministic-dropout",
      "--seed-dropout",
      "3",
    ]);
    expect(fixed.code, fixed.stderr).toBe(0);
    const record = JSON.parse(readFileSync(join(out, "run.json"), "utf8"));
    expect(record.seeds.dropout).toBe(3);
    expect(record.config.deterministic).toEqual({ ...FIXED, init: false, input: false });
    const unused = await runCli([
      "train",
      "--out",
      join(dir, "cli-unused"),
      ...tiny,
      "--seed-dropout",
      "3",
    ]);
    expect(unused.code).not.toBe(0);
    expect(unused.stderr).toContain(
      "--seed-dropout: the dropout seed is drawn at random in setting algo+impl; add --deterministic-dropout",
    );
  }, 60_000);

  it("refuses --init on a zoo model, and an unknown rule, in one line", async () => {
    let message = "";
    try {
      resolveRunConfig({ model: "smallcnn", init: "glorot" });
    } catch (error) {
      expect(isUserError(error)).toBe(true);
      message = (error as Error).message;
    }
    expect(message).toBe(
      "--init glorot (init in a plan): only an imported .onnx model takes it; smallcnn draws its weights by its own recipe, so drop it",
    );
    const cli = await runCli(["train", "--out", join(dir, "zoo"), "--init", "file"]);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain("--init file (init in a plan): only an imported .onnx model");
    const unknown = await runCli(["train", "--out", join(dir, "bad"), "--init", "he"]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain("--init he: expected one of file, pytorch, glorot");
  });

  it("replays a run.json written before dropout was a source with its old derivation", async () => {
    // Before: the masks' seed was the first draw of the init generator, and the file's
    // weights were kept (no `init` field). The same run in today's terms: --init file and
    // that draw as the dropout seed.
    const draw = randint(0, 2 ** 31 - 1, [1], new Generator(0, "init"), { dtype: "int64" });
    const legacySeed = draw.item();
    draw.dispose();
    const today = await train({
      setting: "control",
      init: "file",
      fixedSeeds: { dropout: legacySeed },
    });
    const record = JSON.parse(readFileSync(join(today.outDir, "run.json"), "utf8"));
    const config = record.config as RunConfig & Record<string, unknown>;
    delete config.init;
    delete (config.deterministic as Partial<RunConfig["deterministic"]>).dropout;
    delete (config.fixedSeeds as Partial<RunConfig["fixedSeeds"]>).dropout;
    delete record.seeds.dropout;
    writeFileSync(join(today.outDir, "run.json"), JSON.stringify(record));
    const replay = await runCli([
      "train",
      "--replay",
      join(today.outDir, "run.json"),
      "--out",
      join(dir, "legacy-replay"),
    ]);
    expect(replay.code, replay.stderr).toBe(0);
    expect(replay.stdout).toContain(`replay: reproduced: weights sha256 ${today.weightsSha256}`);
    const replayed = JSON.parse(readFileSync(join(dir, "legacy-replay", "run.json"), "utf8"));
    expect(replayed.seeds).toEqual({ init: 0, input: 0 });
  }, 120_000);
});

describe("a plan.json written before dropout was a source", () => {
  it("reads with dropout switched as init and seed 0: the runs its settings plan today", () => {
    const spec = validatePlanSpec(
      {
        replicates: 1,
        base: { epochs: 1, trainExamples: 64 },
        grid: { models: ["smallcnn"], datasets: ["fashion-mnist"], settings: ["control", "algo"] },
      },
      "plan.json",
    );
    const today = expandPlan(spec, "old");
    const old = JSON.parse(JSON.stringify(today));
    for (const run of old.runs) {
      delete run.config.deterministic.dropout;
      delete run.config.fixedSeeds.dropout;
    }
    const dir = tempDir("old-plan");
    writeFileSync(join(dir, "plan.json"), JSON.stringify(old));
    const read = readPlan(dir);
    expect(read.runs.map((run) => run.config.deterministic.dropout)).toEqual([true, false]);
    expect(read.runs.map((run) => run.config.fixedSeeds.dropout)).toEqual([0, 0]);
    expect(sameRuns(read, today)).toBe(true);
  });

  it("a plan varies dropout alone, the other sources as its setting has them", () => {
    const spec = validatePlanSpec(
      {
        replicates: 1,
        base: { epochs: 1, trainExamples: 64 },
        grid: {
          models: ["smallcnn"],
          datasets: ["fashion-mnist"],
          settings: ["control"],
          options: { deterministic: [{ dropout: true }, { dropout: false }] },
        },
      },
      "plan.json",
    );
    const switches = expandPlan(spec, "dropout").runs.map((run) => run.config.deterministic);
    expect(switches).toEqual([
      { init: true, input: true, dropout: true, impl: true },
      { init: true, input: true, dropout: false, impl: true },
    ]);
  });
});

/**
 * `--model path.onnx` in a run: an MLP built as an ONNX graph (Flatten, Gemm, Relu, Gemm)
 * trains on the embedded Fashion-MNIST subset. Control runs end bit-identical, runs whose
 * algorithmic sources are free differ; run.json records the file's SHA-256; a request missing
 * the recipe's flags, a graph with the wrong number of classes and a file changed since the
 * run was configured are refused in one line.
 */
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isUserError } from "../../src/errors.js";
import { expandPlan } from "../../src/experiment/plan.js";
import { validatePlanSpec } from "../../src/experiment/plan-spec.js";
import { readRunRecord, resolveRunConfig, trainRun } from "../../src/train/index.js";
import { lcgWeights, linearNode, modelBytes } from "../onnx/build-model.js";
import { runCli, spawnCli, tempDir } from "./helpers.js";

function mlpFile(dir: string, classes = 10, dropout = false): string {
  const file = join(dir, `mlp-${classes}${dropout ? "-dropout" : ""}.onnx`);
  const drop = dropout
    ? [{ op: "Dropout", inputs: ["a", "ratio", "training_mode"], outputs: ["d"], name: "drop" }]
    : [];
  const bytes = modelBytes({
    nodes: [
      { op: "Flatten", inputs: ["input"], outputs: ["flat"], name: "flatten" },
      linearNode("fc1", "flat", "h"),
      { op: "Relu", inputs: ["h"], outputs: ["a"], name: "relu" },
      ...drop,
      linearNode("fc2", dropout ? "d" : "a", "logits"),
    ],
    initializers: [
      { name: "fc1.weight", dims: [16, 784], floats: lcgWeights(16 * 784, 784, 1) },
      { name: "fc1.bias", dims: [16], floats: lcgWeights(16, 784, 2) },
      { name: "fc2.weight", dims: [classes, 16], floats: lcgWeights(classes * 16, 16, 3) },
      { name: "fc2.bias", dims: [classes], floats: lcgWeights(classes, 16, 4) },
      { name: "ratio", dims: [], floats: [0.5] },
      { name: "training_mode", dims: [], dataType: 9, int32s: [1] },
    ],
    inputs: [{ name: "input", dims: [1, 1, 28, 28] }],
    outputs: ["logits"],
  });
  writeFileSync(file, bytes);
  return file;
}

const RECIPE = { optimizer: { name: "sgd" as const, lr: 0.05 }, batchSize: 64, epochs: 1 };
const TINY = { trainExamples: 256, testExamples: 64, ...RECIPE };

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

describe("training an imported ONNX model", () => {
  const dir = tempDir("onnx-run");
  const file = mlpFile(dir);

  it("requires the optimizer, lr, batch size and epochs, naming the missing flags", () => {
    expect(refusal(() => resolveRunConfig({ model: file }))).toContain(
      "has no recipe: give --epochs, --batch-size, --optimizer, --lr (in a plan: epochs, batchSize, optimizer.name, optimizer.lr)",
    );
    expect(
      refusal(() => resolveRunConfig({ model: file, optimizer: { name: "adam" }, epochs: 2 })),
    ).toContain("give --batch-size, --lr (in a plan");
  });

  it("trains: control runs are bit-identical, free algorithmic sources differ, run.json has the SHA-256", async () => {
    const sha = createHash("sha256").update(readFileSync(file)).digest("hex");
    // The file's weights: the init source fixed by the file (the default re-draws them).
    const control = resolveRunConfig({ model: file, setting: "control", init: "file", ...TINY });
    expect(control.modelSha256).toBe(sha);
    expect(control.schedule).toBe("constant");
    const a = await trainRun({ config: control, outDir: join(dir, "a"), replicate: 0 });
    const b = await trainRun({ config: control, outDir: join(dir, "b"), replicate: 1 });
    expect(a.status).toBe("complete");
    expect(b.weightsSha256).toBe(a.weightsSha256);
    const recorded = JSON.parse(readFileSync(join(dir, "a", "run.json"), "utf8"));
    expect(recorded.config.modelSha256).toBe(sha);
    expect(recorded.notes).toContain(
      `init: the weights of ${file}, the same in every run (the file fixes the init source)`,
    );
    expect(recorded.group).toBe(`mlp-10-${sha.slice(0, 8)}_fashion-mnist_control`);
    const free = resolveRunConfig({ model: file, setting: "algo", ...TINY });
    const c = await trainRun({ config: free, outDir: join(dir, "c"), replicate: 0 });
    expect(c.weightsSha256).not.toBe(a.weightsSha256);
  }, 120_000);

  it("refuses a file that is not a model when the config is resolved, before any run folder", () => {
    const bad = join(dir, "bad.onnx");
    writeFileSync(bad, "not a model\n");
    expect(refusal(() => resolveRunConfig({ model: bad, ...TINY }))).toContain(
      `${bad}: not an ONNX model`,
    );
    expect(refusal(() => resolveRunConfig({ model: join(dir, "absent.onnx"), ...TINY }))).toContain(
      "no such model file",
    );
  });

  it("refuses a graph whose output is not the dataset's classes", async () => {
    const seven = mlpFile(dir, 7);
    const config = resolveRunConfig({ model: seven, setting: "control", ...TINY });
    await expect(trainRun({ config, outDir: join(dir, "seven"), replicate: 0 })).rejects.toThrow(
      "the graph's output for one image is [1, 7], not the dataset's [1, 10] logits",
    );
  }, 60_000);

  it("refuses a file changed since the run was configured", async () => {
    const changing = mlpFile(tempDir("onnx-run-changed"));
    const config = resolveRunConfig({ model: changing, setting: "control", ...TINY });
    writeFileSync(changing, Buffer.concat([readFileSync(changing), Buffer.from([0])]));
    await expect(trainRun({ config, outDir: join(dir, "changed"), replicate: 0 })).rejects.toThrow(
      "the file has changed since the run was configured",
    );
  }, 60_000);
});

describe("an imported model in a plan", () => {
  const file = mlpFile(tempDir("onnx-plan"));
  const spec = (base: Record<string, unknown>) =>
    validatePlanSpec(
      {
        replicates: 1,
        base,
        grid: { models: [file], datasets: ["fashion-mnist"], settings: ["control"] },
      },
      "plan.json",
    );

  it("expands with the file's SHA-256, and names the recipe's missing fields", () => {
    const plan = expandPlan(
      spec({ optimizer: { name: "adam", lr: 1e-3 }, batchSize: 32, epochs: 1 }),
      "plan.json",
    );
    const sha = createHash("sha256").update(readFileSync(file)).digest("hex");
    expect(plan.runs.map((r) => r.config.modelSha256)).toEqual([sha]);
    expect(refusal(() => expandPlan(spec({ epochs: 1 }), "plan.json"))).toContain(
      "give --batch-size, --optimizer, --lr (in a plan: batchSize, optimizer.name, optimizer.lr)",
    );
  });
});

describe("resuming an imported model with Dropout", () => {
  it("continues after SIGKILL with the dropout generator's state and ends bit-identical", async () => {
    const root = tempDir("onnx-resume");
    const file = mlpFile(root, 10, true);
    const run = [
      "--model",
      file,
      "--setting",
      "control",
      "--optimizer",
      "sgd",
      "--lr",
      "0.05",
      "--batch-size",
      "32",
      "--epochs",
      "30",
      "--train-examples",
      "512",
      "--test-examples",
      "64",
    ];
    const straight = await runCli(["train", "--out", join(root, "straight"), ...run]);
    expect(straight.code, straight.stderr).toBe(0);
    const expected = readRunRecord(join(root, "straight"))!.weightsSha256;
    const killedDir = join(root, "killed");
    const child = spawnCli(["train", "--out", killedDir, ...run]);
    const exited = new Promise((resolve) => child.on("exit", resolve));
    await new Promise<void>((resolve, reject) => {
      let seen = "";
      child.stderr!.on("data", (chunk: Buffer) => {
        seen += chunk.toString();
        if (/epoch 1\/30:/.test(seen)) resolve();
      });
      child.on("exit", () => reject(new Error(`exited before epoch 1 ended:\n${seen}`)));
    });
    child.kill("SIGKILL");
    await exited;
    const interrupted = readRunRecord(killedDir)!;
    // Epochs 2 to 30 take far longer than the kill: the run is caught mid-way.
    expect(interrupted.status).toBe("running");
    expect(interrupted.epochsDone).toBeLessThan(20);
    const resumed = await runCli(["train", "--resume", killedDir]);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming .* after epoch/);
    expect(readRunRecord(killedDir)!.weightsSha256).toBe(expected);
  }, 180_000);
});

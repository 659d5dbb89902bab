/**
 * `nnr export` on bad input: each refusal is one line naming the run, the file or the flag, exits
 * non-zero and writes nothing. The run folders here are written by hand (run.json and a
 * checkpoint of an imported MLP), so no training is needed: the export reads only those files.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { writeSafetensors } from "../../src/io/safetensors.js";
import { parseOnnxModel } from "../../src/onnx/index.js";
import { linearNode, modelBytes } from "../onnx/build-model.js";
import { runCli, runCliProcess, tempDir } from "../train/helpers.js";

const FC1 = Array.from({ length: 4 * 6 }, (_, i) => i / 10);

function mlpFile(dir: string): string {
  const file = join(dir, "mlp.onnx");
  writeFileSync(
    file,
    modelBytes({
      nodes: [
        { op: "Flatten", inputs: ["input"], outputs: ["flat"], name: "flatten" },
        linearNode("fc", "flat", "logits"),
      ],
      initializers: [
        { name: "fc.weight", dims: [4, 6], floats: FC1 },
        { name: "fc.bias", dims: [4], floats: [0, 0, 0, 0] },
      ],
      inputs: [{ name: "input", dims: [1, 1, 2, 3] }],
      outputs: ["logits"],
    }),
  );
  return file;
}

/** A run folder as training leaves it: run.json and the final checkpoint. */
function runFolder(dir: string, model: string, status = "complete"): string {
  mkdirSync(dir, { recursive: true });
  const sha = createHash("sha256").update(readFileSync(model)).digest("hex");
  const record = {
    format: "nnr-run/2",
    status,
    group: "g",
    replicate: 0,
    config: { model, modelSha256: sha, dataset: "fashion-mnist", setting: "control", epochs: 2 },
    epochsDone: status === "complete" ? 2 : 1,
    checkpoints: status === "complete" ? { "2": "ckpt2.safetensors" } : {},
  };
  writeFileSync(join(dir, "run.json"), JSON.stringify(record));
  const trained = (n: number) => new Float32Array(n).map((_, i) => 1 + i / 3);
  writeSafetensors(
    join(dir, "ckpt2.safetensors"),
    new Map([
      ["fc.weight", { dtype: "F32" as const, shape: [4, 6], data: trained(24) }],
      ["fc.bias", { dtype: "F32" as const, shape: [4], data: trained(4) }],
    ]),
  );
  return dir;
}

async function refused(args: string[], expected: string, outDir: string): Promise<void> {
  const before = readdirSync(outDir).sort();
  const result = await runCli(["export", ...args]);
  expect(result.code, result.stderr).not.toBe(0);
  expect(result.stderr).toContain(expected);
  expect(result.stderr.trim().split("\n")).toHaveLength(1);
  expect(readdirSync(outDir).sort()).toEqual(before);
}

describe("nnr export", () => {
  const root = tempDir("export-cli");
  const model = mlpFile(root);
  const run = runFolder(join(root, "run"), model);
  const out = join(root, "out");
  mkdirSync(out);

  it("writes the graph with the checkpoint's weights", async () => {
    const file = join(out, "mlp-trained.onnx");
    const result = await runCli(["export", run, "--onnx", file]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain(`wrote ${file}`);
    const written = parseOnnxModel(readFileSync(file), file).graph.initializers;
    expect(Array.from(written.find((t) => t.name === "fc.bias")!.data as Float32Array)).toEqual(
      [1, 1 + 1 / 3, 1 + 2 / 3, 2].map(Math.fround),
    );
  });

  it("refuses a folder that is not a run", async () => {
    await refused([root, "--onnx", join(out, "a.onnx")], "not a run folder", out);
  });

  it("refuses an unfinished run", async () => {
    const running = runFolder(join(root, "running"), model, "running");
    await refused(
      [running, "--onnx", join(out, "a.onnx")],
      "the run is running (1 of 2 epochs), without final weights",
      out,
    );
  });

  it("refuses an existing output unless --force", async () => {
    const file = join(out, "exists.onnx");
    writeFileSync(file, "keep me");
    await refused([run, "--onnx", file], "the file exists; pass --force to replace it", out);
    expect(readFileSync(file, "utf8")).toBe("keep me");
    const forced = await runCli(["export", run, "--onnx", file, "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(file).length).toBeGreaterThan(7);
  });

  it("refuses an output folder that is missing or unwritable", async () => {
    await refused([run, "--onnx", join(root, "absent", "a.onnx")], "no folder", out);
    // A folder no one can create files in, root included (Linux's /proc).
    const result = await runCli(["export", run, "--onnx", "/proc/self/a.onnx"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /^nnr: --onnx \/proc\/self\/a.onnx: cannot write the file \(E[A-Z]+\); write elsewhere$/,
    );
  });

  it("refuses a model file changed since the run", async () => {
    const dir = join(root, "changed");
    mkdirSync(dir);
    const changing = mlpFile(dir);
    const changedRun = runFolder(join(dir, "run"), changing);
    writeFileSync(changing, Buffer.concat([readFileSync(changing), Buffer.from([0])]));
    await refused([changedRun, "--onnx", join(out, "a.onnx")], "the file has changed since", out);
  });

  it("refuses a checkpoint that does not fit the graph, or is truncated", async () => {
    const misfit = runFolder(join(root, "misfit"), model);
    writeSafetensors(
      join(misfit, "ckpt2.safetensors"),
      new Map([
        ["fc.weight", { dtype: "F32" as const, shape: [6, 4], data: new Float32Array(24) }],
        ["fc.bias", { dtype: "F32" as const, shape: [4], data: new Float32Array(4) }],
      ]),
    );
    await refused(
      [misfit, "--onnx", join(out, "a.onnx")],
      "initializer 'fc.weight' is [4, 6] in the graph, the trained weight [6, 4]",
      out,
    );
    const truncated = runFolder(join(root, "truncated"), model);
    const checkpoint = join(truncated, "ckpt2.safetensors");
    writeFileSync(checkpoint, readFileSync(checkpoint).subarray(0, 40));
    await refused([truncated, "--onnx", join(out, "a.onnx")], "ckpt2.safetensors", out);
  });

  it("refuses a run whose model file is gone", async () => {
    const dir = join(root, "gone");
    mkdirSync(dir);
    const gone = mlpFile(dir);
    const goneRun = runFolder(join(dir, "run"), gone);
    rmSync(gone);
    await refused(
      [goneRun, "--onnx", join(out, "a.onnx")],
      `${gone}: no such model file, which ${goneRun} was trained from`,
      out,
    );
  });

  it("refuses a run.json whose checkpoint name leaves the run's folder", async () => {
    const damaged = runFolder(join(root, "damaged"), model);
    const record = JSON.parse(readFileSync(join(damaged, "run.json"), "utf8"));
    record.checkpoints = { "2": "../run/ckpt2.safetensors" };
    writeFileSync(join(damaged, "run.json"), JSON.stringify(record));
    await refused(
      [damaged, "--onnx", join(out, "a.onnx")],
      "run.json names the checkpoint '../run/ckpt2.safetensors', not a file of the run's folder",
      out,
    );
  });

  it("refuses a zoo model it does not write, naming what it exports", async () => {
    const zoo = join(root, "resnet");
    runFolder(zoo, model);
    const record = JSON.parse(readFileSync(join(zoo, "run.json"), "utf8"));
    record.config.model = "resnet18";
    writeFileSync(join(zoo, "run.json"), JSON.stringify(record));
    await refused(
      [zoo, "--onnx", join(out, "a.onnx")],
      "nnr exports runs of imported .onnx models and of smallcnn, not of resnet18",
      out,
    );
  });

  it("asks for --onnx", async () => {
    await refused([run], "give --onnx out.onnx", out);
  });

  it("is listed in the help", () => {
    const help = runCliProcess(["--help"]);
    expect(help.stdout).toContain("export [options] <run>");
    expect(runCliProcess(["export", "--help"]).stdout).toContain("--onnx <file>");
  });
});

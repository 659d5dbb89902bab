/**
 * The noise switches: Control runs are bit-identical, ALGO runs differ, IMPL runs on CPU are
 * identical (and say why), and --replay reproduces a run with random seeds.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readRunRecord } from "../../src/train/index.js";
import { runCli, runCliProcess, TINY, tempDir } from "./helpers.js";

async function train(dir: string, args: string[]) {
  const result = await runCli(["train", "--out", dir, ...TINY, ...args]);
  expect(result.code, result.stderr).toBe(0);
  const record = readRunRecord(dir)!;
  expect(record.status).toBe("complete");
  return record;
}

describe("noise settings", () => {
  const root = tempDir("noise");

  it("two Control runs end with identical weights, also across processes", async () => {
    const a = await train(join(root, "control-a"), ["--setting", "control"]);
    const b = await train(join(root, "control-b"), ["--setting", "control"]);
    expect(a.seeds).toEqual({ init: 0, input: 0, dropout: 0 });
    expect(a.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(b.weightsSha256).toBe(a.weightsSha256);
    const child = runCliProcess([
      "train",
      "--out",
      join(root, "control-c"),
      ...TINY,
      "--setting",
      "control",
    ]);
    expect(child.code, child.stderr).toBe(0);
    expect(readRunRecord(join(root, "control-c"))!.weightsSha256).toBe(a.weightsSha256);
  });

  it("two ALGO runs draw different seeds and end with different weights", async () => {
    const a = await train(join(root, "algo-a"), ["--setting", "algo"]);
    const b = await train(join(root, "algo-b"), ["--setting", "algo"]);
    expect(a.config.deterministic).toEqual({
      init: false,
      input: false,
      dropout: false,
      impl: true,
    });
    expect(a.seeds).not.toEqual(b.seeds);
    expect(a.weightsSha256).not.toBe(b.weightsSha256);
  });

  it("IMPL runs on CPU are identical, and the run says why", async () => {
    const a = await train(join(root, "impl-a"), ["--setting", "impl"]);
    const b = await train(join(root, "impl-b"), ["--setting", "impl"]);
    expect(b.weightsSha256).toBe(a.weightsSha256);
    expect(a.notes.join(" ")).toMatch(
      /on CPU at a fixed thread count libtorch's kernels are deterministic/,
    );
  });

  it("--replay repeats an ALGO run bit for bit", async () => {
    const original = await train(join(root, "algo-replayed"), ["--setting", "algo"]);
    const replay = await runCli([
      "train",
      "--replay",
      join(root, "algo-replayed", "run.json"),
      "--out",
      join(root, "replay"),
    ]);
    expect(replay.code, replay.stderr).toBe(0);
    const record = readRunRecord(join(root, "replay"))!;
    expect(record.seeds).toEqual(original.seeds);
    expect(record.weightsSha256).toBe(original.weightsSha256);
    expect(replay.stdout).toContain(
      `replay: reproduced: weights sha256 ${original.weightsSha256} is the recorded run's`,
    );
  });

  it("one flipped bit of one initial weight is recorded and changes the result", async () => {
    const control = readRunRecord(join(root, "control-a"))!;
    const perturbed = await train(join(root, "ulp"), [
      "--setting",
      "control",
      "--perturb-init-ulp",
    ]);
    expect(perturbed.perturbation?.parameter).toMatch(/\.(weight|bias)$/);
    expect(perturbed.weightsSha256).not.toBe(control.weightsSha256);
  });
});

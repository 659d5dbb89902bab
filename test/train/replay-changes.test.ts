/**
 * `nnr train --replay RUN --CHANGE`: a replay with changes. Allowed changes are applied to the
 * recorded config and recorded in run.json's replayOf (from which run, its hashes, each field
 * from → to); the verdict says whether the hash was expected to differ; changes that would
 * make it another run (model, data, seeds, processes) are refused in one line naming the flag.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readRunRecord } from "../../src/train/index.js";
import type { RunRecord } from "../../src/train/record.js";
import { configSha256 } from "../../src/train/replay-origin.js";
import { runCli, TINY, tempDir } from "./helpers.js";

const root = tempDir("replay-changes");
const original = join(root, "original");
let recorded: RunRecord;

beforeAll(async () => {
  const result = await runCli(["train", "--out", original, ...TINY]);
  expect(result.code, result.stderr).toBe(0);
  recorded = readRunRecord(original)!;
});

async function replay(name: string, changes: string[]) {
  const out = join(root, name);
  const result = await runCli(["train", "--replay", original, "--out", out, ...changes]);
  return { ...result, out, record: readRunRecord(out) };
}

describe("a replay records which run it repeats", () => {
  it("without changes: the run, its hashes, nothing changed", async () => {
    const { code, stdout, stderr, record } = await replay("plain", []);
    expect(code, stderr).toBe(0);
    expect(record!.replayOf).toEqual({
      run: original,
      weightsSha256: recorded.weightsSha256,
      configSha256: configSha256(recorded.config),
      changed: {},
    });
    expect(stdout).toMatch(
      /^replay: reproduced: weights sha256 [0-9a-f]{64} is the recorded run's$/m,
    );
  });
});

describe("a replay with changes", () => {
  it("--lr: the rate changed, another hash, as expected", async () => {
    const { code, stdout, stderr, record } = await replay("lr", ["--lr", "0.02"]);
    expect(code, stderr).toBe(0);
    expect(record!.config.optimizer.lr).toBe(0.02);
    expect(record!.seeds).toEqual(recorded.seeds);
    expect(record!.replayOf!.changed).toEqual({
      "optimizer.lr": { from: recorded.config.optimizer.lr, to: 0.02 },
    });
    expect(stdout).toMatch(
      /replay: not reproduced: .*; as expected: --lr changes what is trained$/m,
    );
  });

  it("--threads: the tooling changed; the line says whether it moved the bits", async () => {
    const { code, stdout, stderr, record } = await replay("threads", ["--threads", "2"]);
    expect(code, stderr).toBe(0);
    expect(record!.replayOf!.changed).toEqual({ threads: { from: 1, to: 2 } });
    const same = record!.weightsSha256 === recorded.weightsSha256;
    expect(stdout).toContain(
      same ? "--threads changes no bits here" : "--threads changes the bits here",
    );
  });

  it("--deterministic-impl: the switch and the setting it makes", async () => {
    const { code, stderr, record } = await replay("impl", ["--deterministic-impl"]);
    expect(code, stderr).toBe(0);
    expect(record!.replayOf!.changed).toEqual({
      "deterministic.impl": { from: false, to: true },
      setting: { from: "algo+impl", to: "algo" },
    });
  });

  it("--test-examples: only the evaluation changed, the recorded hash expected", async () => {
    const { code, stdout, stderr, record } = await replay("test-examples", [
      "--test-examples",
      "128",
    ]);
    expect(code, stderr).toBe(0);
    expect(record!.replayOf!.changed).toEqual({ testExamples: { from: 256, to: 128 } });
    expect(stdout).toMatch(
      /replay: reproduced: .*; as expected: --test-examples changes no arithmetic$/m,
    );
  });

  it("a change to the recorded value is no change: a plain replay", async () => {
    const { code, stdout, stderr, record } = await replay("same-threads", ["--threads", "1"]);
    expect(code, stderr).toBe(0);
    expect(record!.replayOf!.changed).toEqual({});
    expect(stdout).toMatch(
      /^replay: reproduced: weights sha256 [0-9a-f]{64} is the recorded run's$/m,
    );
  });
});

describe("changes a replay refuses, in one line naming the flag", () => {
  const cases: [string[], RegExp][] = [
    [
      ["--model", "mediumcnn"],
      /^nnr: --model: a replay trains the recorded model on the recorded data; drop it/,
    ],
    [
      ["--dataset", "cifar10"],
      /^nnr: --dataset: a replay trains the recorded model on the recorded data/,
    ],
    [["--seed-init", "3"], /^nnr: --seed-init: a replay takes the recorded seeds/],
    [["--deterministic-init"], /^nnr: --deterministic-init: a replay takes the recorded seeds/],
    [
      ["--setting", "control"],
      /^nnr: --setting: a replay takes the recorded seeds.*--deterministic-impl/,
    ],
    [["--nproc", "2"], /^nnr: --nproc: a replay runs over the recorded number of processes/],
    [["--momentum", "0.9"], /^nnr: --momentum: only SGD uses momentum/],
  ];
  for (const [args, message] of cases) {
    it(args[0]!, async () => {
      const { code, stderr, out } = await replay(`refused${args[0]}`, args);
      expect(code).toBe(2);
      expect(stderr.split("\n")[0]).toMatch(message);
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(join(out, "run.json"))).toBe(false);
    });
  }
});

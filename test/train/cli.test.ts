/** `nnr train` flags: the original's command line, and one-line errors for bad input. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readRunRecord } from "../../src/train/index.js";
import { runCli, TINY, tempDir } from "./helpers.js";

describe("the original's command line", () => {
  it("runs the SmallCNN ALGO command unchanged (with a small data set and few epochs)", async () => {
    const root = tempDir("original");
    const folder = join(root, "logs_algo");
    // From README-original.md: --ckpt_folder ./logs_algo/ --lr 4e-4 --batch_size 128 --eppchs 200 --deterministic_tf
    const args = [
      "train",
      "--model",
      "smallcnn",
      "--ckpt_folder",
      folder,
      "--lr",
      "4e-4",
      "--batch_size",
      "128",
      "--eppchs",
      "2",
      "--deterministic_tf",
      "--train-examples",
      "512",
      "--test-examples",
      "256",
    ];
    const result = await runCli(args);
    expect(result.code, result.stderr).toBe(0);
    const record = readRunRecord(folder)!;
    expect(record.config.setting).toBe("algo");
    expect(record.config.optimizer.lr).toBe(4e-4);
    expect(record.config.batchSize).toBe(128);
    expect(readFileSync(join(folder, "log.csv"), "utf8").split("\n")[0]).toBe(
      "epoch,accuracy,loss,lr,val_accuracy,val_loss",
    );
    expect(readFileSync(join(folder, "pred2.txt"), "utf8").trim().split("\n")).toHaveLength(256);
  });

  it("maps --deterministic_init --deterministic_input to IMPL", async () => {
    const folder = join(tempDir("original-impl"), "logs_impl");
    const result = await runCli([
      "train",
      "--ckpt_folder",
      folder,
      "--deterministic_init",
      "--deterministic_input",
      ...TINY,
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(readRunRecord(folder)!.config.setting).toBe("impl");
  });
});

describe("bad input gives one line and a non-zero exit", () => {
  const root = tempDir("bad");
  const cases: [string, string[], RegExp][] = [
    ["unknown model", ["--model", "lenet"], /unknown model 'lenet'; choose one of smallcnn/],
    ["negative epochs", ["--epochs", "-3"], /--epochs -3: expected a positive integer/],
    ["unknown dataset", ["--dataset", "svhn"], /--dataset svhn: expected one of fashion-mnist/],
    [
      "missing data dir",
      ["--dataset", "cifar10", "--data-dir", "/nonexistent/cifar"],
      /nonexistent\/cifar/,
    ],
    [
      "bad setting",
      ["--setting", "chaos"],
      /--setting chaos: expected one of algo\+impl, algo, impl, control/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(what, async () => {
      const out = join(root, what.replace(/ /g, "-"));
      const result = await runCli(["train", "--out", out, ...TINY, ...args]);
      expect(result.code).not.toBe(0);
      const lines = result.stderr.trim().split("\n");
      expect(lines[0]).toMatch(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(join(out, "run.json"))).toBe(false);
    });
  }

  it("--resume of a folder that is not a run", async () => {
    const folder = join(root, "not-a-run");
    mkdirSync(folder, { recursive: true });
    const result = await runCli(["train", "--resume", folder]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not a run folder \(no run.json\)/);
  });

  it("an existing run is never overwritten", async () => {
    const folder = join(root, "existing");
    expect((await runCli(["train", "--out", folder, ...TINY, "--epochs", "1"])).code).toBe(0);
    const before = readFileSync(join(folder, "run.json"), "utf8");
    const again = await runCli(["train", "--out", folder, ...TINY]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds a run/);
    expect(readFileSync(join(folder, "run.json"), "utf8")).toBe(before);
  });

  it("--replay of something that is not a run record", async () => {
    const file = join(root, "bogus.json");
    writeFileSync(file, "{}");
    const result = await runCli([
      "train",
      "--replay",
      join(root, "missing", "run.json"),
      "--out",
      join(root, "r1"),
    ]);
    expect(result.stderr).toMatch(/no such run.json/);
    const bogus = await runCli([
      "train",
      "--replay",
      file.replace("bogus.json", "bogus-dir"),
      "--out",
      join(root, "r2"),
    ]);
    expect(bogus.code).toBe(2);
  });
});

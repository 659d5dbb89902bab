/** `nnr train` flags: the original's command line, and one-line errors for bad input. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { modelNames } from "../../src/nn/models/index.js";
import { readRunRecord } from "../../src/train/index.js";
import { runCli, runCliProcess, TINY, tempDir } from "./helpers.js";

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
    const log = readFileSync(join(folder, "log.csv"), "utf8").trim().split("\n");
    expect(log[0]).toBe("epoch,accuracy,loss,lr,val_accuracy,val_loss");
    // nnr-run/2 numbers everything by epochs completed: log.csv's epoch 2 is pred2.txt's moment.
    expect(record.format).toBe("nnr-run/2");
    expect(log.slice(1).map((line) => line.split(",")[0])).toEqual(["1", "2"]);
    expect(Object.keys(record.predictions)).toEqual(["2"]);
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
    // A flag the run would record but not use is refused, naming the flag.
    [
      "--bn on a model without the switch",
      ["--model", "resnet18", "--bn"],
      /--bn: only smallcnn has a BatchNorm switch \(resnet18 has none\); drop --bn/,
    ],
    [
      "--kernel-size on a model other than mediumcnn",
      ["--kernel-size", "5"],
      /--kernel-size: only mediumcnn takes a kernel size/,
    ],
    [
      "--momentum under Adam",
      ["--momentum", "0.9"],
      /--momentum: only SGD uses momentum \(this run's optimizer is adam\); add --optimizer sgd/,
    ],
    [
      "--seed-init with a random init",
      ["--setting", "algo", "--seed-init", "3"],
      /--seed-init: the init seed is drawn at random in setting algo; add --deterministic-init/,
    ],
    [
      "--seed-input with a random input",
      ["--seed-input", "3"],
      /--seed-input: the input seed is drawn at random in setting algo\+impl/,
    ],
    [
      "--cudnn-benchmark on the CPU",
      ["--cudnn-benchmark"],
      /--cudnn-benchmark: cuDNN autotuning needs --device cuda/,
    ],
    [
      "an original flag beside ours for the same setting",
      ["--batch_size", "32"],
      /--batch_size: the same setting as --batch-size, which is given too; pass one of them/,
    ],
    [
      "--fast when --epochs and --train-examples set all it sets",
      ["--fast"],
      /--fast: --epochs and --train-examples already set all it sets; drop --fast/,
    ],
    [
      "--save-epochs past the last epoch",
      ["--save-epochs", "1,5"],
      /--save-epochs: epoch 5 is past the run's last \(2\); list epochs up to 2/,
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

  it("--replay and --resume refuse flags they would ignore", async () => {
    const folder = join(root, "existing");
    if (!existsSync(join(folder, "run.json"))) {
      expect((await runCli(["train", "--out", folder, ...TINY, "--epochs", "1"])).code).toBe(0);
    }
    const replay = await runCli([
      "train",
      "--replay",
      join(folder, "run.json"),
      "--out",
      join(root, "replayed"),
      "--replicate",
      "3",
      "--master-port",
      "29600",
    ]);
    expect(replay.code).toBe(2);
    expect(replay.stderr).toMatch(
      /--replicate, --master-port: --replay repeats the recorded run with its own settings; drop them/,
    );
    expect(existsSync(join(root, "replayed", "run.json"))).toBe(false);
    const resume = await runCli(["train", "--resume", folder, "--lr", "0.1"]);
    expect(resume.code).toBe(2);
    expect(resume.stderr).toMatch(/--lr: --resume continues the recorded run/);
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

describe("nnr train --help", () => {
  it("lists every model of the zoo", () => {
    const help = runCliProcess(["train", "--help"]);
    expect(help.code).toBe(0);
    const listed = help.stdout.replace(/\s+/g, " ");
    expect(listed).toContain(modelNames().join(", "));
  });
});

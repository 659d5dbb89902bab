/**
 * `nnr original`: the original's SmallCNN command line, `python -m` replaced, on a tiny
 * CIFAR-10 folder (40 training, 10 test images in the binary format; the original has no
 * subset flag, so the folder is small instead). 12 epochs save at Keras's epochs 9 and 11.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { discoverRuns } from "../../src/analysis/runs/discover.js";
import { loadGroup } from "../../src/analysis/runs/load-group.js";
import { readRunRecord } from "../../src/train/index.js";
import { cifar10Records, syntheticPixels } from "../data/fixtures.js";
import { runCli, tempDir } from "../train/helpers.js";

function tinyCifar10(dir: string, perBatch: number, test: number): string {
  mkdirSync(dir, { recursive: true });
  const write = (name: string, count: number, offset: number) => {
    const labels = Array.from({ length: count }, (_, k) => (k + offset) % 10);
    writeFileSync(join(dir, name), cifar10Records(labels, syntheticPixels(count, 3072)));
  };
  for (let k = 1; k <= 5; k++) write(`data_batch_${k}.bin`, perBatch, k);
  write("test_batch.bin", test, 0);
  return dir;
}

describe("nnr original training_script.smallcnn", () => {
  it("writes the original's layout, which the original-layout reading accepts", async () => {
    const root = tempDir("original-smallcnn");
    const data = tinyCifar10(join(root, "cifar-10-batches-bin"), 8, 10);
    const folder = join(root, "logs_algo");
    // README-original.md's ALGO line, with --eppchs 12 and the data folder.
    const result = await runCli([
      "original",
      "training_script.smallcnn",
      "--ckpt_folder",
      `${folder}/`,
      "--lr",
      "4e-4",
      "--batch_size",
      "128",
      "--eppchs",
      "12",
      "--deterministic_tf",
      "--data_dir",
      data,
    ]);
    expect(result.code, result.stderr).toBe(0);
    const files = readdirSync(folder).sort();
    // The original's files exactly, plus nnr's record and labels beside them.
    expect(files.filter((f) => f !== "run.json" && f !== "test-labels.txt")).toEqual([
      "ckpt11.safetensors",
      "ckpt9.safetensors",
      "log.csv",
      "pred11.txt",
      "pred9.txt",
    ]);
    const log = readFileSync(join(folder, "log.csv"), "utf8").trim().split("\n");
    expect(log[0]).toBe("epoch,accuracy,loss,lr,val_accuracy,val_loss");
    expect(log.slice(1).map((line) => Number(line.split(",")[0]))).toEqual(
      Array.from({ length: 12 }, (_, e) => e),
    );
    expect(readFileSync(join(folder, "pred11.txt"), "utf8").trim().split("\n")).toHaveLength(10);
    const record = readRunRecord(folder)!;
    // The original's SmallCNN defaults: CIFAR-10, Adam, ALGO (kernels deterministic only).
    expect(record.config).toMatchObject({
      model: "smallcnn",
      dataset: "cifar10",
      epochs: 12,
      batchSize: 128,
      setting: "algo",
      layout: "original",
      transforms: [{ op: "scale" }],
    });
    expect(Object.keys(record.predictions).sort()).toEqual(["11", "9"]);

    const { runs, problems } = discoverRuns(root);
    expect(problems).toEqual([]);
    expect(runs[0]!.epochBase).toBe(0);
    const group = loadGroup(runs, undefined, [])!;
    expect(group.epoch).toBe(11);
    const lastRow = log.at(-1)!.split(",");
    expect(group.runs[0]!.loggedAccuracy).toBe(Number(lastRow[4]));
    expect(group.runs[0]!.weightsSha256).toBe(record.weightsSha256);
    const again = await runCli([
      "original",
      "training_script.smallcnn",
      "--ckpt_folder",
      folder,
      "--data_dir",
      data,
    ]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/already holds a run; continue it with nnr train --resume/);

    // Without nnr's record, as the original's own folders are: the original-layout reader
    // (named logs_{model}_{dataset}_{setting}_{replicate}) reads the same epoch and row.
    const bare = join(root, "as-original", "logs_smallcnn_cifar10_algo_0");
    mkdirSync(bare, { recursive: true });
    for (const file of files.filter((f) => f !== "run.json"))
      copyFileSync(join(folder, file), join(bare, file));
    const read = discoverRuns(join(root, "as-original"));
    expect(read.runs[0]!.layout).toBe("original");
    const bareGroup = loadGroup(read.runs, undefined, [])!;
    expect(bareGroup.epoch).toBe(11);
    expect(bareGroup.runs[0]!.loggedAccuracy).toBe(Number(lastRow[4]));
    expect(bareGroup.runs[0]!.predictions).toEqual(group.runs[0]!.predictions);
  }, 60_000);

  it("says on one line where CIFAR-10 goes, and refuses unknown flags and folders it would overwrite", async () => {
    const root = tempDir("original-errors");
    const noData = await runCli([
      "original",
      "training_script.smallcnn",
      "--ckpt_folder",
      join(root, "a"),
      "--data_dir",
      join(root, "nowhere"),
    ]);
    expect(noData.code).not.toBe(0);
    expect(noData.stderr.split("\n")).toHaveLength(1);
    expect(noData.stderr).toMatch(/pass --data_dir with .*data_batch_1\.bin/);

    const unknown = await runCli([
      "original",
      "training_script.smallcnn",
      "--ckpt_folder",
      root,
      "--epochz",
      "3",
    ]);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/unknown flag --epochz; it takes --ckpt_folder/);

    const foreign = join(root, "logs_smallcnn_cifar10_default_0");
    mkdirSync(foreign);
    writeFileSync(join(foreign, "pred9.txt"), "1\n");
    const refused = await runCli([
      "original",
      "src.training_script.smallcnn",
      "--ckpt_folder",
      foreign,
    ]);
    expect(refused.stderr).toMatch(/already holds a run's files \(pred9\.txt/);
    expect(readFileSync(join(foreign, "pred9.txt"), "utf8")).toBe("1\n");

    const script = await runCli(["original", "training_script.vgg"]);
    expect(script.stderr).toMatch(/unknown script 'training_script\.vgg'/);
  });
});

/**
 * Done when: a user's NumPy arrays, a Hugging Face Parquet image set and torchvision's CIFAR
 * folder each train under the four settings, and `nnr analyze` and `nnr report` work on the
 * runs unchanged. Tiny data (8×8 and 32×32 images, one epoch), two replicates per setting.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeExperiment } from "../../src/analysis/index.js";
import { readRunRecord } from "../../src/train/index.js";
import { runCli, tempDir } from "../train/helpers.js";
import { syntheticPixels } from "./fixtures.js";
import { pngOf, writeParquetSplit } from "./parquet-fixture.js";
import { userData } from "./user-data-fixture.js";

const SETTINGS = ["algo+impl", "algo", "impl", "control"];

async function parquetFolder(): Promise<string> {
  const dir = tempDir("settings-parquet");
  const cells = [];
  for (let k = 0; k < 8; k++) {
    const hwc = syntheticPixels(k + 1, 8 * 8 * 3).subarray(k * 192);
    cells.push({ bytes: await pngOf(hwc, 8, 8, 3), path: `${k}.png` });
  }
  const labels = [0n, 1n, 2n, 0n, 1n, 2n, 0n, 1n];
  writeParquetSplit(dir, "train", [{ images: cells, labels, classNames: ["a", "b", "c"] }]);
  writeParquetSplit(dir, "test", [{ images: cells.slice(0, 4), labels: labels.slice(0, 4) }]);
  return dir;
}

describe("the user's formats under the four settings", () => {
  it("npy, parquet and CIFAR's python folder train, analyse and report", async () => {
    const data = userData();
    const sources = [
      ["npy", ["--dataset", "npy", "--data-dir", join(data.dir, "npy")]],
      ["parquet", ["--dataset", "parquet", "--data-dir", await parquetFolder()]],
      ["cifar10", ["--dataset", "cifar10", "--data-dir", join(data.dir, "cifar-10-batches-py")]],
    ] as const;
    const experiment = tempDir("settings-experiment");
    for (const [name, args] of sources) {
      for (const setting of SETTINGS) {
        for (const replicate of [0, 1]) {
          const out = join(experiment, `${name}_${setting}_${replicate}`);
          const flags = ["--setting", setting, "--replicate", String(replicate)];
          const run = await runCli([
            "train",
            "--out",
            out,
            ...flags,
            "--epochs",
            "1",
            "--batch-size",
            "4",
            ...args,
          ]);
          expect(run.code, run.stderr).toBe(0);
          expect(readRunRecord(out)!.status).toBe("complete");
        }
      }
    }
    const analysed = await runCli(["analyze", experiment]);
    expect(analysed.code, analysed.stderr).toBe(0);
    const { groups, problems } = analyzeExperiment(experiment);
    expect(problems.filter((p) => p.effect === "excluded")).toEqual([]);
    expect(groups.map((g) => `${g.dataset} ${g.setting} ${g.runs.length}`).sort()).toEqual(
      sources.flatMap(([name]) => SETTINGS.map((s) => `${name} ${s} 2`)).sort(),
    );
    const reported = await runCli(["report", experiment]);
    expect(reported.code, reported.stderr).toBe(0);
    expect(existsSync(join(experiment, "report.html"))).toBe(true);
  }, 300_000);
});

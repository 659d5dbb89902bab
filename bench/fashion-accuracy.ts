/**
 * nnr against PyTorch on the embedded default: SmallCNN on Fashion-MNIST with the same
 * hyper-parameters (Adam 4e-4, batch 128, scaled pixels), several seeds each; prints both
 * accuracy bands. Usage: npx tsx bench/fashion-accuracy.ts [--epochs 3] [--train 10000] [--seeds 3]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { resolveRunConfig, trainRun } from "../src/train/index.js";

const { values } = parseArgs({
  options: {
    epochs: { type: "string", default: "3" },
    train: { type: "string", default: "10000" },
    seeds: { type: "string", default: "3" },
  },
});
const [epochs, trainExamples, seeds] = [values.epochs, values.train, values.seeds].map(Number) as [
  number,
  number,
  number,
];
const band = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
  return `${(100 * mean).toFixed(2)} % ± ${(100 * std).toFixed(2)} (min ${(100 * Math.min(...xs)).toFixed(2)}, max ${(100 * Math.max(...xs)).toFixed(2)})`;
};

const root = mkdtempSync(join(tmpdir(), "nnr-accuracy-"));
const ours: number[] = [];
for (let seed = 0; seed < seeds; seed++) {
  const config = resolveRunConfig({
    setting: "control",
    fixedSeeds: { init: seed, input: seed },
    epochs,
    trainExamples,
    saveEpochs: [epochs],
  });
  await trainRun({ config, outDir: join(root, `seed${seed}`), replicate: seed });
  const log = readFileSync(join(root, `seed${seed}`, "log.csv"), "utf8")
    .trim()
    .split("\n");
  const header = log[0]!.split(",");
  ours.push(Number(log.at(-1)!.split(",")[header.indexOf("val_accuracy")]));
}
console.log(
  `SmallCNN, Fashion-MNIST, ${epochs} epochs on the first ${trainExamples} training examples, full test set, ${seeds} seeds`,
);
console.log(`nnr      ${band(ours)}`);
const script = new URL("../scripts/reference/smallcnn_fashion_torch.py", import.meta.url).pathname;
const python = ["python3", "/usr/bin/python3"].find(
  (p) => spawnSync(p, ["-c", "import torch; torch.zeros(1)"], { stdio: "ignore" }).status === 0,
);
if (python === undefined) {
  console.log("PyTorch  skipped: no python3 with torch");
} else {
  const run = spawnSync(python, [script, String(epochs), String(trainExamples), String(seeds)], {
    encoding: "utf8",
  });
  if (run.status !== 0) console.log(`PyTorch  failed: ${run.stderr.trim().split("\n").at(-1)}`);
  else
    console.log(
      `PyTorch  ${band((JSON.parse(run.stdout) as { accuracies: number[] }).accuracies)}`,
    );
}

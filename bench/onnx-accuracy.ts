/**
 * An imported model's accuracy against PyTorch's, same recipe. A CNN that nnr's zoo does not
 * have (BatchNorm, a grouped convolution, Dropout, global average pooling; defined in
 * bench/onnx_accuracy_torch.py) is exported from PyTorch to ONNX in training mode, then trained
 * from the exported weights by PyTorch and by `nnr train --model file.onnx` as a user runs it:
 * the same initial weights on both sides, only the data order and the dropout masks differ
 * from seed to seed. Prints each side's mean test accuracy with its t interval and the
 * difference with Welch's interval (bench/welch.ts), and whether the difference is within the
 * runs' own spread.
 *
 *   npx tsx bench/onnx-accuracy.ts [--seeds 5] [--epochs 2] [--train 10000] [--batch 64]
 *       [--lr 0.001] [--threads 1] [--level 0.95] [--model FILE.onnx]
 *
 * --model trains a file already exported by `bench/onnx_accuracy_torch.py export FILE.onnx`
 * (test/onnx/fixtures/fashion_cnn.onnx is one); without it the script exports a fresh one.
 * nnr runs are Control with --init file (the file's weights, as PyTorch starts from) and
 * --seed-input s --seed-dropout s; PyTorch's seed s draws its order and masks.
 * Data: Fashion-MNIST from /usr/share/datasets/fashion-mnist, the first --train training
 * examples, the full test set, pixels scaled to [0, 1] on both sides.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { mean, stdSample } from "../src/analysis/statistics/stats.js";
import { type MeanInterval, meanInterval, welchInterval } from "./welch.js";

const OPTIONS = {
  seeds: { type: "string", default: "5" },
  epochs: { type: "string", default: "2" },
  train: { type: "string", default: "10000" },
  batch: { type: "string", default: "64" },
  lr: { type: "string", default: "0.001" },
  threads: { type: "string", default: "1" },
  level: { type: "string", default: "0.95" },
  model: { type: "string" },
} as const;

function parsed() {
  try {
    return parseArgs({ options: OPTIONS }).values;
  } catch (error) {
    return fail(
      `${(error as Error).message.split("\n")[0]} (flags: ${Object.keys(OPTIONS)
        .map((f) => `--${f}`)
        .join(", ")})`,
    );
  }
}
const values = parsed();

function positiveInteger(flag: "seeds" | "epochs" | "train" | "batch" | "threads"): number {
  const n = Number(values[flag]);
  if (!Number.isInteger(n) || n < 1 || (flag === "seeds" && n < 2)) {
    fail(`--${flag} takes a positive integer${flag === "seeds" ? " of 2 or more" : ""}`);
  }
  return n;
}

function fail(message: string): never {
  console.error(`onnx-accuracy: ${message}`);
  process.exit(2);
}

const recipe = {
  seeds: positiveInteger("seeds"),
  epochs: positiveInteger("epochs"),
  train: positiveInteger("train"),
  batch: positiveInteger("batch"),
  threads: positiveInteger("threads"),
  lr: Number(values.lr),
  level: Number(values.level),
};
if (!(recipe.lr > 0)) fail("--lr takes a positive number (--lr 0.001)");
if (!(recipe.level > 0 && recipe.level < 1))
  fail("--level takes a number in (0, 1) (--level 0.95)");

const root = new URL("..", import.meta.url).pathname;
const script = join(root, "bench", "onnx_accuracy_torch.py");
const work = mkdtempSync(join(tmpdir(), "nnr-onnx-accuracy-"));
const TIMEOUT_MS = 60 * 60 * 1000;

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { cwd: root, encoding: "utf8", timeout: TIMEOUT_MS });
  if (result.status !== 0) {
    const why = result.error?.message ?? result.stderr.trim().split("\n").at(-1);
    fail(`${command} ${args.join(" ")} failed: ${why ?? `exit ${result.status}`}`);
  }
  return result.stdout;
}

const python = ["python3", "/usr/bin/python3"].find(
  (p) =>
    spawnSync(p, ["-c", "import torch, onnx; torch.zeros(1)"], { stdio: "ignore" }).status === 0,
);

function modelFile(): string {
  if (values.model !== undefined) {
    if (!existsSync(values.model)) fail(`--model ${values.model}: no such file`);
    return values.model;
  }
  if (python === undefined)
    fail("no python3 with torch and onnx to export the model; pass --model");
  const file = join(work, "fashion_cnn.onnx");
  run(python, [script, "export", file]);
  return file;
}

/** The last epoch's test accuracy of one `nnr train` run. */
function nnrAccuracy(file: string, seed: number): number {
  const out = join(work, `nnr-seed${seed}`);
  const flags = {
    model: file,
    dataset: "fashion-mnist",
    optimizer: "adam",
    lr: recipe.lr,
    "batch-size": recipe.batch,
    epochs: recipe.epochs,
    "train-examples": recipe.train,
    setting: "control",
    init: "file",
    "seed-input": seed,
    "seed-dropout": seed,
    threads: recipe.threads,
    out,
  };
  const args = Object.entries(flags).flatMap(([flag, value]) => [`--${flag}`, String(value)]);
  run(process.execPath, ["bin/nnr.js", "train", ...args]);
  const log = readFileSync(join(out, "log.csv"), "utf8").trim().split("\n");
  const column = log[0]!.split(",").indexOf("val_accuracy");
  return Number(log.at(-1)!.split(",")[column]);
}

function torchAccuracies(file: string): number[] {
  const args = [script, "train", file, String(recipe.epochs), String(recipe.train)];
  args.push(String(recipe.batch), String(recipe.lr), String(recipe.seeds));
  return (JSON.parse(run(python!, args)) as { accuracies: number[] }).accuracies;
}

const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
const pp = (x: number) => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(2)}`;
const level = `${Math.round(100 * recipe.level)} %`;

function sideLines(name: string, xs: number[], ci: MeanInterval): string[] {
  const spread = `sd ${(100 * stdSample(xs)).toFixed(2)} pp, min ${pct(Math.min(...xs))}, max ${pct(Math.max(...xs))}`;
  return [
    `${name.padEnd(8)} mean ${pct(ci.value)}, ${level} t interval [${pct(ci.low)}, ${pct(ci.high)}]  (${spread})`,
    `${"".padEnd(8)} by seed: ${xs.map((x) => (100 * x).toFixed(2)).join(" ")}`,
  ];
}

function verdict(ours: number[], theirs: number[]): string[] {
  const w = welchInterval(ours, theirs, recipe.level);
  const runSd = Math.sqrt((stdSample(ours) ** 2 + stdSample(theirs) ** 2) / 2);
  const containsZero = w.low <= 0 && 0 <= w.high;
  return [
    `nnr − PyTorch ${pp(w.value)} pp, ${level} Welch interval [${pp(w.low)}, ${pp(w.high)}] pp (ν = ${w.df.toFixed(1)})`,
    `the difference is ${(Math.abs(w.value) / runSd).toFixed(2)} of one run's sd (${(100 * runSd).toFixed(2)} pp, both sides pooled); ` +
      (containsZero
        ? "its interval holds 0: within the runs' own spread"
        : "its interval excludes 0: the two differ by more than the runs' own spread"),
  ];
}

const file = modelFile();
console.log(
  `${file}: Adam lr ${recipe.lr}, batch ${recipe.batch}, ${recipe.epochs} epochs on the first ${recipe.train} Fashion-MNIST training examples, full test set, ${recipe.seeds} seeds each, ${recipe.threads} thread(s)`,
);
const ours = Array.from({ length: recipe.seeds }, (_, seed) => nnrAccuracy(file, seed));
for (const line of sideLines("nnr", ours, meanInterval(ours, recipe.level))) console.log(line);
if (python === undefined) {
  console.log("PyTorch  skipped: no python3 with torch and onnx");
} else {
  const theirs = torchAccuracies(file);
  for (const line of sideLines("PyTorch", theirs, meanInterval(theirs, recipe.level)))
    console.log(line);
  for (const line of verdict(ours, theirs)) console.log(line);
  console.log(`(means ${pct(mean(ours))} and ${pct(mean(theirs))}; runs in ${work})`);
}

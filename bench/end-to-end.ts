/**
 * End to end, nnr against PyTorch: process start to the last epoch's test accuracy, SmallCNN on
 * Fashion-MNIST (the system dataset), with evaluation and start-up included.
 *
 *   npx tsx bench/end-to-end.ts [--runs 3] [--threads 1,2] [--epochs 2] [--data-dir DIR]
 *       [--train-examples N]
 *
 * --train-examples trains all three on the first N training examples (default: all 60,000), a
 * quicker check; the figures the README quotes are of the full set.
 * Three commands, as their users run them, alternate `runs` times at each thread count:
 *   nnr           node bin/nnr.js train --epochs E --threads T (its defaults otherwise)
 *   PyTorch       bench/end_to_end_torch.py, a plain script: the same model and recipe, the
 *                 default layout (contiguous) and glibc's allocator defaults
 *   PyTorch best  the same script in channels_last, with the allocator thresholds nnr sets for
 *                 itself (src/engine/allocator.ts) given through GLIBC_TUNABLES
 * Each figure is the median wall time of its runs; on a shared machine the load changes under a
 * run, and alternating (in a rotating order) keeps that from favouring either side. Ratios above 1 mean nnr is faster.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { TUNED_MMAP_THRESHOLD, TUNED_TRIM_THRESHOLD } from "../src/engine/allocator.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    threads: { type: "string", default: "1,2" },
    epochs: { type: "string", default: "2" },
    "data-dir": { type: "string", default: "/usr/share/datasets/fashion-mnist" },
    "train-examples": { type: "string", default: "60000" },
  },
});
const runs = Number(values.runs);
const epochs = Number(values.epochs);
const threadCounts = values.threads.split(",").map(Number);
const trainExamples = Number(values["train-examples"]);
for (const [flag, ok] of [
  ["--train-examples", Number.isInteger(trainExamples) && trainExamples > 0],
  ["--runs", Number.isInteger(runs) && runs > 0],
  ["--epochs", Number.isInteger(epochs) && epochs > 0],
  ["--threads", threadCounts.every((t) => Number.isInteger(t) && t > 0)],
] as const) {
  if (!ok) {
    console.error(`end-to-end: ${flag} takes positive integers (${flag} 3)`);
    process.exit(2);
  }
}
const dataDir = values["data-dir"];
const root = new URL("..", import.meta.url).pathname;
const TUNED_GLIBC = `glibc.malloc.mmap_threshold=${TUNED_MMAP_THRESHOLD}:glibc.malloc.trim_threshold=${TUNED_TRIM_THRESHOLD}`;
// Each run may take minutes on a loaded machine; none may hang the benchmark.
const RUN_TIMEOUT_MS = 30 * 60 * 1000;

interface Timed {
  seconds: number;
  accuracy: number;
}

function timed(command: string, args: string[], env: NodeJS.ProcessEnv): Timed & { out: string } {
  const start = process.hrtime.bigint();
  const run = spawnSync(command, args, {
    cwd: root,
    env,
    encoding: "utf8",
    timeout: RUN_TIMEOUT_MS,
  });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.status !== 0) {
    const why = run.error?.message ?? run.stderr.trim().split("\n").at(-1) ?? `exit ${run.status}`;
    throw new Error(`${command} ${args.join(" ")} failed: ${why}`);
  }
  return { seconds, accuracy: Number.NaN, out: run.stdout };
}

function nnrRun(threads: number): Timed {
  const out = mkdtempSync(join(tmpdir(), "nnr-end-to-end-"));
  try {
    const args = ["bin/nnr.js", "train", "--epochs", String(epochs), "--threads", String(threads)];
    const subset = trainExamples < 60000 ? ["--train-examples", String(trainExamples)] : [];
    const where = ["--data-dir", dataDir, "--out", join(out, "run")];
    const run = timed(process.execPath, [...args, ...subset, ...where], process.env);
    const log = readFileSync(join(out, "run", "log.csv"), "utf8")
      .trim()
      .split("\n");
    const column = log[0]!.split(",").indexOf("val_accuracy");
    return { seconds: run.seconds, accuracy: Number(log.at(-1)!.split(",")[column]) };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

function torchRun(python: string, threads: number, best: boolean): Timed {
  const script = join(root, "bench", "end_to_end_torch.py");
  const layout = best ? "channels_last" : "contiguous";
  const env = best ? { ...process.env, GLIBC_TUNABLES: TUNED_GLIBC } : process.env;
  const args = [script, String(epochs), String(threads), layout, dataDir, String(trainExamples)];
  const run = timed(python, args, env);
  const match = /test accuracy ([0-9.]+)/.exec(run.out);
  return { seconds: run.seconds, accuracy: match === null ? Number.NaN : Number(match[1]) };
}

function findPython(): string | null {
  for (const python of ["python3", "/usr/bin/python3"]) {
    if (spawnSync(python, ["-c", "import torch"], { stdio: "ignore" }).status === 0) return python;
  }
  return null;
}

const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

const python = findPython();
console.log(
  `end to end: process start to the last epoch's test accuracy, SmallCNN, Fashion-MNIST (${dataDir}, ${trainExamples} training examples), ${epochs} epochs, median of ${runs} alternating runs`,
);
if (python === null) console.log("PyTorch skipped: no python3 with torch found");
const header = "| threads | nnr | PyTorch | PyTorch best | nnr vs PyTorch | nnr vs PyTorch best |";
console.log(header);
console.log("|---|---|---|---|---|---|");
try {
  for (const threads of threadCounts) {
    const ours: Timed[] = [];
    const plain: Timed[] = [];
    const best: Timed[] = [];
    const commands: (() => void)[] = [() => ours.push(nnrRun(threads))];
    if (python !== null) {
      commands.push(() => plain.push(torchRun(python, threads, false)));
      commands.push(() => best.push(torchRun(python, threads, true)));
    }
    for (let round = 0; round < runs; round++) {
      // Each round starts one command later: a load that rises or falls over the benchmark
      // then falls on every command alike, not on whichever always runs last.
      for (let k = 0; k < commands.length; k++) commands[(round + k) % commands.length]!();
    }
    const seconds = (xs: Timed[]) => median(xs.map((x) => x.seconds));
    const cell = (xs: Timed[]) =>
      xs.length === 0
        ? "skipped"
        : `${seconds(xs).toFixed(1)} s (acc ${median(xs.map((x) => x.accuracy)).toFixed(4)})`;
    const ratio = (xs: Timed[]) =>
      xs.length === 0 ? "–" : `${(seconds(xs) / seconds(ours)).toFixed(2)}×`;
    console.log(
      `| ${threads} | ${cell(ours)} | ${cell(plain)} | ${cell(best)} | ${ratio(plain)} | ${ratio(best)} |`,
    );
  }
} catch (error) {
  console.error(`end-to-end: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

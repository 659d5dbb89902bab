/**
 * ResNet18-CIFAR training throughput, nnr against PyTorch-Python on the same machine: one
 * training step = forward, cross-entropy, backward, Adam update, on a fixed random batch of
 * 32×32 images, in both memory layouts, at the same thread count. Target: ratio ≥ 1.0.
 *
 *   npx tsx bench/resnet18.ts [--batch 32] [--warmup 1] [--steps 3] [--rounds 2] [--threads <cores>]
 *
 * nnr and PyTorch alternate, `rounds` times per layout, and the rate is batch / median step
 * time over all timed steps: on a shared machine the load changes under a run, and the
 * alternation and the median keep that from favouring either side. The defaults take a couple
 * of minutes on two cores; the original trains at batch 128 (use --batch 128 on a bigger
 * machine). PyTorch's side is bench/resnet18_torch.py, run with /usr/bin/python3 (the
 * interpreter that has torch); it is skipped, saying so, without it.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { engineInfo, Generator, rand, randint, setThreads, tidy } from "../src/engine/index.js";
import {
  Adam,
  categoricalCrossEntropy,
  createModel,
  type ModelMemoryFormat,
} from "../src/nn/index.js";

const { values } = parseArgs({
  options: {
    batch: { type: "string", default: "32" },
    warmup: { type: "string", default: "1" },
    steps: { type: "string", default: "3" },
    rounds: { type: "string", default: "2" },
    threads: { type: "string", default: String(cpus().length) },
  },
});
const batch = Number(values.batch);
const warmup = Number(values.warmup);
const steps = Number(values.steps);
const rounds = Number(values.rounds);
const threads = Number(values.threads);
const PYTHON = "/usr/bin/python3";

function nnrStepSeconds(memoryFormat: ModelMemoryFormat): number[] {
  const model = createModel("resnet18", {
    generator: new Generator(0, "init"),
    memoryFormat,
  }).train();
  const optimizer = new Adam(model.parameters(), { lr: 4e-4 });
  const data = new Generator(0, "input");
  const x = rand([batch, 3, 32, 32], data).contiguous(memoryFormat);
  const y = randint(0, 10, [batch], data);
  const step = () =>
    tidy(() => {
      optimizer.zeroGrad();
      const loss = categoricalCrossEntropy(model.forward(x), y);
      loss.backward();
      optimizer.step();
      return loss.item();
    });
  for (let i = 0; i < warmup; i++) step();
  const seconds: number[] = [];
  for (let i = 0; i < steps; i++) {
    const start = process.hrtime.bigint();
    step();
    seconds.push(Number(process.hrtime.bigint() - start) / 1e9);
  }
  for (const t of [x, y]) t.dispose();
  optimizer.dispose();
  model.dispose();
  return seconds;
}

/** PyTorch's step times, or why they are unavailable. */
function torchStepSeconds(memoryFormat: ModelMemoryFormat): number[] | string {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const script = new URL("./resnet18_torch.py", import.meta.url).pathname;
  const args = [script, memoryFormat, batch, warmup, steps, threads].map(String);
  const run = spawnSync(PYTHON, args, { encoding: "utf8" });
  if (run.status !== 0) return `PyTorch run failed: ${run.stderr.trim().split("\n").at(-1)}`;
  return (JSON.parse(run.stdout) as { stepSeconds: number[] }).stepSeconds;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

setThreads(threads);
const info = engineInfo();
console.log(
  `ResNet18-CIFAR training (Adam, cross-entropy), batch ${batch}, ${rounds} rounds × (${warmup} warm-up + ${steps} timed steps), ` +
    `${threads} threads, libtorch ${info.libtorch}, ${info.cpuModel}`,
);
let skipped: string | null = null;
for (const format of ["contiguous", "channels_last"] as const) {
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    ours.push(...nnrStepSeconds(format));
    const torch: number[] | string = skipped === null ? torchStepSeconds(format) : skipped;
    if (typeof torch === "string") skipped = torch;
    else theirs.push(...torch);
  }
  const oursRate = batch / median(ours);
  const line = `${format.padEnd(13)} nnr ${oursRate.toFixed(1)} img/s`;
  if (theirs.length === 0) {
    console.log(line);
    continue;
  }
  const theirsRate = batch / median(theirs);
  console.log(
    `${line}  PyTorch ${theirsRate.toFixed(1)} img/s  ratio ${(oursRate / theirsRate).toFixed(2)}×`,
  );
}
if (skipped !== null) console.log(`PyTorch comparison skipped: ${skipped}`);

/**
 * Training throughput, nnr against PyTorch-Python on the same machine: one training step =
 * forward, cross-entropy, backward, Adam update, on a fixed random batch of images (32×32×3
 * unless --input gives C,H,W: 1,28,28 is Fashion-MNIST's),
 * in both memory layouts, at each thread count.
 *
 *   npx tsx bench/training-throughput.ts [--model smallcnn|resnet18] [--batch 128]
 *       [--warmup 3] [--steps 10] [--rounds 3] [--threads 1,2] [--input 3,32,32]
 *
 * nnr and PyTorch alternate, `rounds` times per layout, and the rate is batch / median step
 * time over all timed steps: on a shared machine the load changes under a run, and the
 * alternation and the median keep that from favouring either side. PyTorch's side is
 * bench/training_throughput_torch.py, run with the first of python3, /usr/bin/python3 that has
 * torch; it is skipped, saying so, without one. PyTorch runs twice per round: as users run it,
 * and with the glibc thresholds nnr sets for itself (src/engine/allocator.ts), through
 * GLIBC_TUNABLES, so the two engines can also be compared on equal allocator terms.
 * NNR_ALLOCATOR=system benchmarks nnr with glibc's defaults instead.
 */
import { spawnSync } from "node:child_process";
import { parseArgs } from "node:util";
import { TUNED_MMAP_THRESHOLD, TUNED_TRIM_THRESHOLD } from "../src/engine/allocator.js";
import { engineInfo, Generator, rand, randint, setThreads, tidy } from "../src/engine/index.js";
import {
  Adam,
  categoricalCrossEntropy,
  createModel,
  type ModelMemoryFormat,
} from "../src/nn/index.js";

const { values } = parseArgs({
  options: {
    model: { type: "string", default: "smallcnn" },
    batch: { type: "string", default: "128" },
    warmup: { type: "string", default: "3" },
    steps: { type: "string", default: "10" },
    rounds: { type: "string", default: "3" },
    threads: { type: "string", default: "1,2" },
    input: { type: "string", default: "3,32,32" },
  },
});
const model = values.model;
const [batch, warmup, steps, rounds] = [
  values.batch,
  values.warmup,
  values.steps,
  values.rounds,
].map(Number) as [number, number, number, number];
const threadCounts = values.threads.split(",").map(Number);
const inputShape = values.input.split(",").map(Number) as [number, number, number];
if (inputShape.length !== 3 || inputShape.some((v) => !Number.isInteger(v) || v < 1)) {
  console.error(`--input ${values.input}: give the input shape as C,H,W, e.g. 1,28,28`);
  process.exit(2);
}

function nnrStepSeconds(memoryFormat: ModelMemoryFormat): number[] {
  const network = createModel(model, {
    generator: new Generator(0, "init"),
    memoryFormat,
    classes: 10,
    inputShape,
  }).train();
  const optimizer = new Adam(network.parameters(), { lr: 4e-4 });
  const data = new Generator(0, "input");
  const x = rand([batch, ...inputShape], data).contiguous(memoryFormat);
  const y = randint(0, 10, [batch], data);
  const step = () =>
    tidy(() => {
      optimizer.zeroGrad();
      categoricalCrossEntropy(network.forward(x), y).backward();
      optimizer.step();
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
  network.dispose();
  return seconds;
}

function findPython(): string | null {
  for (const python of ["python3", "/usr/bin/python3"]) {
    if (spawnSync(python, ["-c", "import torch; torch.zeros(1)"], { stdio: "ignore" }).status === 0)
      return python;
  }
  return null;
}

const TUNED_GLIBC = `glibc.malloc.mmap_threshold=${TUNED_MMAP_THRESHOLD}:glibc.malloc.trim_threshold=${TUNED_TRIM_THRESHOLD}`;

/** PyTorch's step times, or why they are unavailable. */
function torchStepSeconds(
  python: string | null,
  memoryFormat: ModelMemoryFormat,
  threads: number,
  tunedAllocator: boolean,
): number[] | string {
  if (python === null) return "no python3 with torch found";
  const script = new URL("./training_throughput_torch.py", import.meta.url).pathname;
  const args = [script, model, memoryFormat, batch, warmup, steps, threads, values.input].map(
    String,
  );
  const env = tunedAllocator ? { ...process.env, GLIBC_TUNABLES: TUNED_GLIBC } : process.env;
  const run = spawnSync(python, args, { encoding: "utf8", env });
  if (run.status !== 0) return `PyTorch run failed: ${run.stderr.trim().split("\n").at(-1)}`;
  return (JSON.parse(run.stdout) as { stepSeconds: number[] }).stepSeconds;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const python = findPython();
const info = engineInfo();
const allocator =
  info.allocator.kind === "tuned"
    ? "tuned allocator"
    : `glibc's allocator defaults (${info.allocator.reason})`;
console.log(
  `${model} training (Adam, cross-entropy), batch ${batch} of ${inputShape.join("×")}, ${rounds} rounds × (${warmup} warm-up + ${steps} timed steps), libtorch ${info.libtorch}, ${info.cpuModel}; nnr with ${allocator}`,
);
const rates = new Map<string, number>();
let skipped: string | null = null;
for (const threads of threadCounts) {
  setThreads(threads);
  for (const format of ["contiguous", "channels_last"] as const) {
    const ours: number[] = [];
    const theirs: number[] = [];
    const theirsTuned: number[] = [];
    for (let round = 0; round < rounds; round++) {
      ours.push(...nnrStepSeconds(format));
      for (const [tuned, into] of [
        [false, theirs],
        [true, theirsTuned],
      ] as const) {
        const torch: number[] | string =
          skipped ?? torchStepSeconds(python, format, threads, tuned);
        if (typeof torch === "string") skipped = torch;
        else into.push(...torch);
      }
    }
    const oursRate = batch / median(ours);
    rates.set(`nnr ${format} ${threads}`, oursRate);
    let line = `${threads} thread${threads > 1 ? "s" : " "} ${format.padEnd(13)} nnr ${oursRate.toFixed(0).padStart(6)} img/s`;
    if (theirs.length > 0 && theirsTuned.length > 0) {
      const theirsRate = batch / median(theirs);
      const tunedRate = batch / median(theirsTuned);
      rates.set(`torch ${format} ${threads}`, theirsRate);
      line += `   PyTorch ${theirsRate.toFixed(0).padStart(6)} img/s (${(oursRate / theirsRate).toFixed(2)}×)`;
      line += `   PyTorch, same allocator thresholds ${tunedRate.toFixed(0).padStart(6)} img/s (${(oursRate / tunedRate).toFixed(2)}×)`;
    }
    console.log(line);
  }
  const best = rates.get(`nnr channels_last ${threads}`);
  const torchDefault = rates.get(`torch contiguous ${threads}`);
  if (best !== undefined && torchDefault !== undefined) {
    console.log(
      `${threads} thread${threads > 1 ? "s" : " "} nnr channels_last vs PyTorch's default layout (contiguous): ${(best / torchDefault).toFixed(2)}×`,
    );
  }
}
if (skipped !== null) console.log(`PyTorch comparison skipped: ${skipped}`);

/**
 * Memory over a long run: the resident set and the addon's live-tensor count while training
 * SmallCNN on Fashion-MNIST through the training loop `nnr train` uses (trainEpoch, with the
 * test set evaluated after every epoch), printed every --every steps.
 *
 *   npx tsx bench/memory-flat.ts [--steps 10000] [--every 1000] [--batch 32] [--bound-mib 32]
 *
 * The first interval is warm-up (allocator pools, kernels' scratch space, the JIT). After it the
 * run is flat when RSS grows by no more than --bound-mib and the live-tensor count does not
 * grow at all (a leaked tensor per step would add thousands); it exits 1 otherwise.
 */
import { parseArgs } from "node:util";
import { DataLoader } from "../src/data/loader.js";
import { configureDeterminism, Generator, liveTensors } from "../src/engine/index.js";
import { evaluationTransforms, loadRunData } from "../src/train/data-setup.js";
import { trainEpoch } from "../src/train/epoch.js";
import { evaluate } from "../src/train/evaluate.js";
import { resolveRunConfig } from "../src/train/index.js";
import { buildModel, buildOptimizer, buildSchedule } from "../src/train/model-setup.js";

const { values } = parseArgs({
  options: {
    steps: { type: "string", default: "10000" },
    every: { type: "string", default: "1000" },
    batch: { type: "string", default: "32" },
    "bound-mib": { type: "string", default: "32" },
  },
});
const [steps, every, batch, boundMib] = [
  values.steps,
  values.every,
  values.batch,
  values["bound-mib"],
].map(Number) as [number, number, number, number];
if (![steps, every, batch].every((v) => Number.isInteger(v) && v > 0) || !(boundMib >= 0)) {
  console.error(
    "memory-flat: --steps, --every and --batch take positive integers, --bound-mib a size",
  );
  process.exit(2);
}

// An epoch of exactly `every` steps, so each sample follows an evaluation too.
const config = resolveRunConfig({
  setting: "control",
  batchSize: batch,
  trainExamples: every * batch,
  testExamples: 1000,
  epochs: Math.ceil(steps / every),
});
configureDeterminism({
  deterministic: config.deterministic.impl,
  threads: config.threads,
  cudnnBenchmark: false,
});
const data = await loadRunData(config, () => {});
const loader = new DataLoader(data.train, {
  batchSize: config.batchSize,
  shuffle: config.shuffle,
  inputSeed: 0,
  dropRemainder: config.dropRemainder,
  transforms: config.transforms,
});
const model = buildModel(config, loader.outputShape, 10, new Generator(0, "init"));
const optimizer = buildOptimizer(config, model);
const schedule = buildSchedule(config, loader.batchesPerEpoch);
const mib = (bytes: number) => bytes / 2 ** 20;

console.log(
  `SmallCNN, Fashion-MNIST, batch ${batch}, ${steps} steps; RSS and live tensors every ${every} steps`,
);
let step = 0;
let baseline: { rss: number; tensors: number } | null = null;
let worst = { rss: 0, tensors: 0 };
for (let epoch = 0; step < steps; epoch++) {
  const context = { config, model, optimizer, schedule, loader, multilabel: false, classes: 10 };
  step = (await trainEpoch(context, epoch, step)).globalStep;
  await evaluate(model, data.test, evaluationTransforms(config.transforms), "cpu");
  const sample = { rss: process.memoryUsage.rss(), tensors: liveTensors() };
  if (baseline === null) baseline = sample;
  const growth = { rss: sample.rss - baseline.rss, tensors: sample.tensors - baseline.tensors };
  worst = {
    rss: Math.max(worst.rss, growth.rss),
    tensors: Math.max(worst.tensors, growth.tensors),
  };
  console.log(
    `step ${String(step).padStart(6)}  RSS ${mib(sample.rss).toFixed(1).padStart(7)} MiB (${growth.rss >= 0 ? "+" : ""}${mib(growth.rss).toFixed(1)})  live tensors ${sample.tensors}`,
  );
}
optimizer.dispose();
model.dispose();
const flat = mib(worst.rss) <= boundMib && worst.tensors <= 0;
console.log(
  `${flat ? "flat" : "NOT flat"}: after the first ${every} steps RSS grew at most ${mib(worst.rss).toFixed(1)} MiB (bound ${boundMib} MiB), live tensors by ${worst.tensors}`,
);
process.exit(flat ? 0 : 1);

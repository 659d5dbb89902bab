/**
 * The fused ReLU of 2×2 max pooling (native/src/relu-max-pool.cc) against ATen's two ops it
 * replaces, in one process, alternating, so that the machine's load falls on both alike:
 * - the op alone, forward and backward, at SmallCNN's three pooled shapes on Fashion-MNIST
 *   (batch 128: 16×28×28, 32×14×14, 32×7×7);
 * - SmallCNN's whole training step (Adam, cross-entropy, batch 128 of 1×28×28).
 *
 *   npx tsx bench/relu-max-pool.ts [--memory-format channels_last|contiguous] [--threads 1,2]
 *       [--rounds 7]
 *
 * Prints the median milliseconds each way and their ratio (above 1: the fused op is faster),
 * and checks that both ways leave the same weights.
 */
import { parseArgs } from "node:util";
import { Generator, randn, setThreads, tidy } from "../src/engine/index.js";
import type { ModelMemoryFormat } from "../src/nn/index.js";
import { fuseReluOfMaxPool, reluOfMaxPool } from "../src/nn/models/relu-pool.js";
import { smallCnnOnFashionShapes } from "./smallcnn-fashion.js";

const { values } = parseArgs({
  options: {
    "memory-format": { type: "string", default: "channels_last" },
    threads: { type: "string", default: "1,2" },
    rounds: { type: "string", default: "7" },
  },
});
const format = values["memory-format"] as ModelMemoryFormat;
const rounds = Number(values.rounds);
const threadCounts = values.threads.split(",").map(Number);
if (
  !["contiguous", "channels_last"].includes(format) ||
  !(rounds > 0) ||
  threadCounts.some((t) => !Number.isInteger(t) || t < 1)
) {
  console.error(
    "relu-max-pool: --memory-format contiguous|channels_last, --threads 1,2, --rounds N",
  );
  process.exit(2);
}

const WAYS = [
  ["ATen's two ops", false],
  ["fused", true],
] as const;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;

/** Median ms of `work` each way, alternating rounds of `repeats` calls. */
function alternate(work: () => void, repeats: number): [number, number] {
  const times: number[][] = [[], []];
  for (let round = 0; round < rounds; round++) {
    WAYS.forEach(([, enabled], way) => {
      fuseReluOfMaxPool(enabled);
      work();
      for (let i = 0; i < repeats; i++) {
        const start = process.hrtime.bigint();
        work();
        times[way]!.push(ms(start));
      }
    });
  }
  fuseReluOfMaxPool(true);
  return [median(times[0]!), median(times[1]!)];
}

function report(what: string, [aten, fused]: [number, number]): void {
  console.log(
    `${what.padEnd(34)} ATen ${aten.toFixed(3)} ms, fused ${fused.toFixed(3)} ms: ${(aten / fused).toFixed(2)}×`,
  );
}

function opAlone(shape: number[]): [number, number] {
  const g = new Generator(1, "input");
  const x = tidy(() => randn(shape, g).contiguous(format).requiresGrad_());
  const outShape = [shape[0]!, shape[1]!, shape[2]! >> 1, shape[3]! >> 1];
  const upstream = tidy(() => randn(outShape, g).contiguous(format));
  try {
    return alternate(
      () =>
        tidy(() => {
          reluOfMaxPool(x).backward(upstream);
          x.grad = null;
        }),
      20,
    );
  } finally {
    for (const t of [x, upstream]) t.dispose();
  }
}

/** The training step each way, and whether both ways trained the same weights. */
function trainingStep(): { times: [number, number]; sameWeights: boolean } {
  // Same start, 5 steps each way: the weights must agree bit for bit.
  const ends = WAYS.map(([, enabled]) => {
    fuseReluOfMaxPool(enabled);
    const training = smallCnnOnFashionShapes(format);
    for (let i = 0; i < 5; i++) training.step();
    const weights = JSON.stringify(training.weights().map((w) => Array.from(w)));
    training.dispose();
    return weights;
  });
  const training = smallCnnOnFashionShapes(format);
  const times = alternate(training.step, 10);
  training.dispose();
  return { times, sameWeights: ends[0] === ends[1] };
}

console.log(`ReLU of 2×2 max pooling, fused vs ATen's two ops, ${format}, ${rounds} rounds`);
for (const threads of threadCounts) {
  setThreads(threads);
  const label = `${threads} thread${threads === 1 ? "" : "s"}`;
  for (const shape of [
    [128, 16, 28, 28],
    [128, 32, 14, 14],
    [128, 32, 7, 7],
  ]) {
    report(`${label}, forward + backward ${shape.join("×")}`, opAlone(shape));
  }
  const { times, sameWeights } = trainingStep();
  report(`${label}, SmallCNN training step`, times);
  console.log(`${label}, weights after 5 steps: ${sameWeights ? "identical" : "DIFFERENT"}`);
  if (!sameWeights) process.exitCode = 1;
}

/**
 * Data-parallel speed-up: SmallCNN training at one global batch, 2 ranks × 1 thread (Gloo over
 * the loopback, each rank half the batch, gradients averaged every step) against 1 rank × 1
 * thread (the whole batch), in images per second.
 *
 *   npx tsx bench/data-parallel.ts [--batch 128] [--warmup 3] [--steps 20] [--rounds 3]
 *
 * The two alternate, `rounds` times, and each rate is the global batch over the median step
 * time of all its timed steps, so a load that changes under the run favours neither. The load
 * average before and after is printed with the figures: with other work on the cores, 2 ranks
 * compete for them and the ratio understates what a quiet machine gives.
 */
import { spawn } from "node:child_process";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { freePort } from "../src/distributed/launcher.js";

const { values } = parseArgs({
  options: {
    batch: { type: "string", default: "128" },
    warmup: { type: "string", default: "3" },
    steps: { type: "string", default: "20" },
    rounds: { type: "string", default: "3" },
  },
});
const [batch, warmup, steps, rounds] = [
  values.batch,
  values.warmup,
  values.steps,
  values.rounds,
].map(Number) as [number, number, number, number];
const rankScript = new URL("./data-parallel-rank.ts", import.meta.url).pathname;

function runRank(env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", rankScript, String(batch), String(warmup), String(steps)],
      { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on("exit", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`a benchmark rank exited with code ${code}`)),
    );
  });
}

interface RankTimes {
  stepSeconds: number[];
  averageSeconds: number;
  /** CPU time of rank 0's process per timed step (all its threads). */
  cpuSeconds: number;
}

async function stepSeconds(worldSize: number): Promise<RankTimes> {
  if (worldSize === 1) return JSON.parse(await runRank({}));
  const port = String(await freePort());
  const outputs = await Promise.all(
    Array.from({ length: worldSize }, (_, rank) =>
      runRank({
        RANK: String(rank),
        WORLD_SIZE: String(worldSize),
        LOCAL_RANK: String(rank),
        MASTER_ADDR: "127.0.0.1",
        MASTER_PORT: port,
      }),
    ),
  );
  return JSON.parse(outputs[0]!);
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

const loadBefore = loadavg()[0]!;
const single: number[] = [];
const parallel: number[] = [];
const averaging: number[] = [];
const singleCpu: number[] = [];
const parallelCpu: number[] = [];
for (let round = 0; round < rounds; round++) {
  const alone = await stepSeconds(1);
  single.push(...alone.stepSeconds);
  singleCpu.push(alone.cpuSeconds);
  const times = await stepSeconds(2);
  parallel.push(...times.stepSeconds);
  averaging.push(times.averageSeconds);
  parallelCpu.push(times.cpuSeconds);
}
const ms = (seconds: number) => `${(seconds * 1000).toFixed(1)} ms`;
const loadAfter = loadavg()[0]!;
const singleRate = batch / median(single);
const parallelRate = batch / median(parallel);
console.log(
  `SmallCNN training (Adam), global batch ${batch}, ${rounds} rounds × (${warmup} warm-up + ${steps} timed steps)`,
);
console.log(
  `1 rank  × 1 thread  ${singleRate.toFixed(0).padStart(6)} img/s (${ms(median(single))} step, ${ms(median(singleCpu))} CPU)`,
);
console.log(
  `2 ranks × 1 thread  ${parallelRate.toFixed(0).padStart(6)} img/s (Gloo, loopback; averaging gradients ${ms(median(averaging))} of a ${ms(median(parallel))} step; ${ms(median(parallelCpu))} CPU per rank)`,
);
console.log(
  `speed-up ${(parallelRate / singleRate).toFixed(2)}× (load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after)`,
);

/**
 * What synchronised BatchNorm costs: SmallCNN with BatchNorm (3 layers), 2 ranks × 1 thread
 * over Gloo on the loopback, each on half of a fixed random global batch, training steps
 * (forward, backward, gradient average, Adam) with per-rank BatchNorm against synchronised
 * BatchNorm (one all-gather per layer in the forward, one all-reduce in the backward).
 *
 *   npx tsx bench/sync-batchnorm.ts [--batch 128] [--warmup 3] [--steps 20] [--rounds 3] [--nproc 2]
 *
 * --nproc 1 runs one rank in a group of its own: the collectives return at once, so the
 * difference is the arithmetic alone (libtorch's fused batch_norm kernels against
 * sync-batchnorm.cc's ATen operations), without waiting for another rank.
 *
 * The two alternate, `rounds` times; each figure is the median of all its timed steps (rank
 * 0's: the gradient average ends every step together), so a load that changes favours
 * neither. The load average is printed with them. Run with RANK set, the file is one rank.
 */
import { spawn } from "node:child_process";
import { loadavg } from "node:os";
import { parseArgs } from "node:util";
import { DataParallel, sliceBounds } from "../src/distributed/data-parallel.js";
import { freePort } from "../src/distributed/launcher.js";
import { glooDevice, rankEnvironment } from "../src/distributed/launcher-env.js";
import { ProcessGroup } from "../src/distributed/process-group.js";
import { Generator, rand, randint, setThreads, tidy } from "../src/engine/index.js";
import { Adam, categoricalCrossEntropy, createModel } from "../src/nn/index.js";

const { values } = parseArgs({
  options: {
    batch: { type: "string", default: "128" },
    warmup: { type: "string", default: "3" },
    steps: { type: "string", default: "20" },
    rounds: { type: "string", default: "3" },
    nproc: { type: "string", default: "2" },
    sync: { type: "boolean", default: false },
  },
});
const [batch, warmup, steps, rounds, nproc] = [
  values.batch,
  values.warmup,
  values.steps,
  values.rounds,
  values.nproc,
].map(Number) as [number, number, number, number, number];

/** One rank: prints its step times (seconds) as JSON on rank 0. */
function rank(): void {
  setThreads(1);
  const env = rankEnvironment()!;
  const group = ProcessGroup.join({
    ...env,
    timeoutMs: 120_000,
    device: glooDevice(env.masterAddr),
  });
  const network = createModel("smallcnn", {
    generator: new Generator(0, "init"),
    classes: 10,
    inputShape: [3, 32, 32],
    batchNorm: true,
  }).train();
  const parallel = new DataParallel(group, network, { syncBatchNorm: values.sync });
  parallel.syncInitialState();
  const optimizer = new Adam(network.parameters(), { lr: 4e-4 });
  const data = new Generator(0, "input");
  const { start, end } = sliceBounds(batch, group.rank, group.worldSize);
  const x = rand([batch, 3, 32, 32], data)
    .narrow(0, start, end - start)
    .contiguous();
  const y = randint(0, 10, [batch], data)
    .narrow(0, start, end - start)
    .contiguous();
  const step = () => {
    parallel.beforeForward();
    tidy(() => parallel.backward(categoricalCrossEntropy(network.forward(x), y)));
    parallel.averageGradients();
    optimizer.step();
    optimizer.zeroGrad();
  };
  for (let i = 0; i < warmup; i++) step();
  group.barrier();
  const seconds: number[] = [];
  for (let i = 0; i < steps; i++) {
    const begin = process.hrtime.bigint();
    step();
    seconds.push(Number(process.hrtime.bigint() - begin) / 1e9);
  }
  group.barrier();
  if (group.isLeader) console.log(JSON.stringify(seconds));
  group.destroy();
}

function runRanks(sync: boolean, port: number): Promise<number[]> {
  const script = new URL(import.meta.url).pathname;
  const args = ["--import", "tsx", script, ...process.argv.slice(2), ...(sync ? ["--sync"] : [])];
  const ranks = Array.from({ length: nproc }, (_, r) => r).map(
    (r) =>
      new Promise<string>((resolve, reject) => {
        const env = { RANK: String(r), WORLD_SIZE: String(nproc), LOCAL_RANK: String(r) };
        const child = spawn(process.execPath, args, {
          env: { ...process.env, ...env, MASTER_ADDR: "127.0.0.1", MASTER_PORT: String(port) },
          stdio: ["ignore", "pipe", "inherit"],
        });
        let out = "";
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
        });
        child.on("exit", (code) =>
          code === 0
            ? resolve(out)
            : reject(new Error(`a benchmark rank exited with code ${code}`)),
        );
      }),
  );
  return Promise.all(ranks).then(([zero]) => JSON.parse(zero!) as number[]);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const before = loadavg()[0]!;
  const times = { perRank: [] as number[], synchronized: [] as number[] };
  for (let round = 0; round < rounds; round++) {
    times.perRank.push(...(await runRanks(false, await freePort())));
    times.synchronized.push(...(await runRanks(true, await freePort())));
  }
  const after = loadavg()[0]!;
  const [a, b] = [median(times.perRank), median(times.synchronized)];
  console.log(
    `SmallCNN+BN, ${nproc} rank(s) × 1 thread, global batch ${batch}, median of ${rounds * steps} steps each`,
  );
  console.log(
    `per-rank BatchNorm:     ${(a * 1000).toFixed(1)} ms/step, ${(batch / a).toFixed(0)} img/s`,
  );
  console.log(
    `synchronised BatchNorm: ${(b * 1000).toFixed(1)} ms/step, ${(batch / b).toFixed(0)} img/s`,
  );
  console.log(`synchronised / per-rank step time: ${(b / a).toFixed(3)}×`);
  console.log(`load average: ${before.toFixed(1)} before, ${after.toFixed(1)} after`);
}

if (process.env.RANK !== undefined) rank();
else await main();

/**
 * One rank of bench/data-parallel.ts: SmallCNN training steps (forward, cross-entropy,
 * backward, gradient average, Adam) on this rank's slice of a fixed random global batch, at 1
 * thread. Without WORLD_SIZE it trains alone on the whole batch. Rank 0 prints its step times
 * as JSON, the mean time per step spent averaging gradients (the allreduce ends every step
 * together, so rank 0's time is the step's), and the CPU time per step of its process: on a
 * loaded machine the wall time grows with the wait for a core, the CPU time much less.
 *
 *   npx tsx bench/data-parallel-rank.ts BATCH WARMUP STEPS
 */
import { DataParallel, sliceBounds } from "../src/distributed/data-parallel.js";
import { glooDevice, rankEnvironment } from "../src/distributed/launcher-env.js";
import { ProcessGroup } from "../src/distributed/process-group.js";
import { Generator, rand, randint, setThreads, tidy } from "../src/engine/index.js";
import { Adam, categoricalCrossEntropy, createModel } from "../src/nn/index.js";

const [batch, warmup, steps] = process.argv.slice(2).map(Number) as [number, number, number];
setThreads(1);
const env = rankEnvironment();
const group =
  env === null
    ? null
    : ProcessGroup.join({
        ...env,
        timeoutMs: 120_000,
        device: glooDevice(env.masterAddr),
      });
const network = createModel("smallcnn", {
  generator: new Generator(0, "init"),
  classes: 10,
  inputShape: [3, 32, 32],
}).train();
const parallel = group === null ? null : new DataParallel(group, network);
parallel?.syncInitialState();
const optimizer = new Adam(network.parameters(), { lr: 4e-4 });
const data = new Generator(0, "input");
const { start, end } = sliceBounds(batch, group?.rank ?? 0, group?.worldSize ?? 1);
const x = rand([batch, 3, 32, 32], data)
  .narrow(0, start, end - start)
  .contiguous();
const y = randint(0, 10, [batch], data)
  .narrow(0, start, end - start)
  .contiguous();
let averaging = 0n;
const step = () => {
  parallel?.beforeForward();
  tidy(() => categoricalCrossEntropy(network.forward(x), y).backward());
  const begin = process.hrtime.bigint();
  parallel?.averageGradients();
  averaging += process.hrtime.bigint() - begin;
  optimizer.step();
  optimizer.zeroGrad();
};
for (let i = 0; i < warmup; i++) step();
group?.barrier();
averaging = 0n;
const seconds: number[] = [];
const cpuBefore = process.cpuUsage();
for (let i = 0; i < steps; i++) {
  const begin = process.hrtime.bigint();
  step();
  seconds.push(Number(process.hrtime.bigint() - begin) / 1e9);
}
group?.barrier();
// Time in averageGradients includes waiting for the slower rank, not only the allreduce.
const averageSeconds = Number(averaging) / 1e9 / steps;
const cpu = process.cpuUsage(cpuBefore);
const cpuSeconds = (cpu.user + cpu.system) / 1e6 / steps;
if (group === null || group.isLeader)
  console.log(JSON.stringify({ stepSeconds: seconds, averageSeconds, cpuSeconds }));
group?.destroy();

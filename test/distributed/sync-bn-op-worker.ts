/**
 * One rank of the synchronised-BatchNorm operation check against PyTorch
 * (sync-batchnorm-torch.test.ts): a global batch of 7 (split 4 + 3, so the ranks' counts
 * differ), a weight, a bias, running statistics and an upstream gradient dy, all drawn alike on
 * every rank; each rank normalises its slice with ProcessGroup.syncBatchNorm and back-propagates
 * its slice of dy. Rank 0 writes the global inputs to DIR/op-input.json; each rank writes its
 * output, input gradient, own weight and bias gradients and running statistics to
 * DIR/op-rankR.json.
 *
 * node --import tsx test/distributed/sync-bn-op-worker.ts DIR   (with RANK, WORLD_SIZE, MASTER_*)
 */
import { join } from "node:path";
import { sliceBounds } from "../../src/distributed/data-parallel.js";
import { glooDevice, rankEnvironment } from "../../src/distributed/launcher-env.js";
import { ProcessGroup } from "../../src/distributed/process-group.js";
import { configureDeterminism, Generator, rand, randn } from "../../src/engine/index.js";
import { writeFileAtomicSync } from "../../src/io/atomic.js";

const OP_CASE = { batch: 7, channels: 3, size: 4, momentum: 0.1, eps: 1e-5, seed: 21 };

const dir = process.argv[2]!;
const env = rankEnvironment()!;
configureDeterminism({ deterministic: true, threads: 1, cudnnBenchmark: false });
const group = ProcessGroup.join({
  masterAddr: env.masterAddr,
  masterPort: env.masterPort,
  rank: env.rank,
  worldSize: env.worldSize,
  timeoutMs: 30_000,
  device: glooDevice(env.masterAddr),
});
const { batch, channels, size, momentum, eps } = OP_CASE;
const draw = new Generator(OP_CASE.seed, "data");
const shape = [batch, channels, size, size];
// Channel means and spreads far from 0 and 1, so the statistics matter.
const x = randn(shape, draw)
  .mul(2)
  .add(rand([1, channels, 1, 1], draw).mul(4));
const dy = randn(shape, draw);
const weight = rand([channels], draw).add(0.5);
const bias = randn([channels], draw);
const runningMean = randn([channels], draw);
const runningVar = rand([channels], draw).add(0.5);
const values = (t: { toArray(): number[] }) => t.toArray();
if (group.isLeader) {
  writeFileAtomicSync(
    join(dir, "op-input.json"),
    JSON.stringify({
      x: values(x),
      dy: values(dy),
      shape,
      weight: values(weight),
      bias: values(bias),
      runningMean: values(runningMean),
      runningVar: values(runningVar),
      momentum,
      eps,
    }),
  );
}
const { start, end } = sliceBounds(batch, group.rank, group.worldSize);
const input = x
  .narrow(0, start, end - start)
  .contiguous()
  .requiresGrad_();
weight.requiresGrad_();
bias.requiresGrad_();
const out = group.syncBatchNorm(input, { weight, bias, runningMean, runningVar, momentum, eps });
out
  .mul(dy.narrow(0, start, end - start))
  .sum()
  .backward();
writeFileAtomicSync(
  join(dir, `op-rank${group.rank}.json`),
  JSON.stringify({
    out: values(out),
    gradInput: values(input.grad!),
    gradWeight: values(weight.grad!),
    gradBias: values(bias.grad!),
    runningMean: values(runningMean),
    runningVar: values(runningVar),
  }),
);
group.barrier();
group.destroy();

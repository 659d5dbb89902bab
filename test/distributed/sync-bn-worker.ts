/**
 * One process of the synchronised-BatchNorm comparison (sync-batchnorm.test.ts): a small
 * Conv-BatchNorm-Linear net trained for a few SGD steps on the same global batches, either
 * - "single": one process, no group, plain BatchNorm over the whole global batch (the
 *   reference), or
 * - "synchronized" / "per-rank": one rank of a 2-rank DataParallel run (rank from the
 *   launcher's environment), each on its contiguous half of every batch;
 * - "peer-gone": synchronized, but rank 1 exits after its first forward: rank 0's backward
 *   all-reduce fails, and rank 0 prints the error's class and message and exits 3.
 * Writes DIR/MODE-rankR.json: per step, this process's outputs (its examples, in order), the
 * gradients after averaging, and the state dict (weights and running statistics) after the step.
 *
 * node --import tsx test/distributed/sync-bn-worker.ts DIR MODE   (ranks: RANK, WORLD_SIZE, MASTER_*)
 */
import { join } from "node:path";
import type { Batch } from "../../src/data/types.js";
import { DataParallel } from "../../src/distributed/data-parallel.js";
import { glooDevice, rankEnvironment } from "../../src/distributed/launcher-env.js";
import { ProcessGroup } from "../../src/distributed/process-group.js";
import {
  configureDeterminism,
  Generator,
  rand,
  randint,
  tensor,
  tidy,
} from "../../src/engine/index.js";
import { writeFileAtomicSync } from "../../src/io/atomic.js";
import { BatchNorm2d, Conv2d, Flatten, Linear, ReLU, Sequential, SGD } from "../../src/nn/index.js";
import { categoricalCrossEntropy } from "../../src/nn/losses.js";
import { SYNC_BN_CASE } from "./sync-bn-case.js";

const [dir, mode] = process.argv.slice(2) as [
  string,
  "single" | "synchronized" | "per-rank" | "peer-gone",
];
const env = mode === "single" ? null : rankEnvironment()!;
configureDeterminism({ deterministic: true, threads: 1, cudnnBenchmark: false });
const group =
  env === null
    ? null
    : ProcessGroup.join({
        masterAddr: env.masterAddr,
        masterPort: env.masterPort,
        rank: env.rank,
        worldSize: env.worldSize,
        timeoutMs: 30_000,
        device: glooDevice(env.masterAddr),
      });
const { steps, globalBatch, imageSize, classes, channels, lr, momentum } = SYNC_BN_CASE;
// Every process builds the same start (and DataParallel broadcasts rank 0's anyway).
const init = new Generator(SYNC_BN_CASE.initSeed, "init");
const model = new Sequential([
  new Conv2d({ inChannels: 2, outChannels: channels, kernelSize: 3, generator: init }),
  new BatchNorm2d(channels),
  new ReLU(),
  new Flatten(),
  new Linear({
    inFeatures: channels * (imageSize - 2) ** 2,
    outFeatures: classes,
    generator: init,
  }),
]);
const parallel =
  group === null ? null : new DataParallel(group, model, { syncBatchNorm: mode !== "per-rank" });
parallel?.syncInitialState();
const optimizer = new SGD(model.parameters(), { lr, momentum });

const data = new Generator(SYNC_BN_CASE.dataSeed, "data");
const examples = steps * globalBatch;
// Shifted and scaled so the batch statistics are far from BatchNorm's initial 0 and 1.
const images = rand([examples, 2, imageSize, imageSize], data).mul(3).add(1);
const labels = randint(0, classes, [examples], data, { dtype: "int32" });
const imageValues = images.dataSync() as Float32Array;
const labelValues = labels.dataSync() as Int32Array;

const pixels = 2 * imageSize * imageSize;
const history: unknown[] = [];
for (let step = 0; step < steps; step++) {
  const start = step * globalBatch;
  const global: Batch = {
    images: imageValues.subarray(start * pixels, (start + globalBatch) * pixels),
    imageShape: [globalBatch, 2, imageSize, imageSize],
    labels: labelValues.subarray(start, start + globalBatch),
    indices: Int32Array.from({ length: globalBatch }, (_, i) => start + i),
    epoch: 0,
    batchInEpoch: step,
  };
  const local = parallel === null ? global : parallel.slice(global);
  parallel?.beforeForward();
  const outputs = tidy(() => {
    const x = tensor(local.images, local.imageShape);
    const y = tensor(local.labels as Int32Array, [local.labels.length]).long();
    const out = model.forward(x);
    const loss = categoricalCrossEntropy(out, y);
    if (parallel === null) loss.backward();
    else if (mode === "peer-gone" && parallel.rank === 1) process.exit(0);
    else {
      try {
        parallel.backward(loss);
      } catch (error) {
        console.error(`${(error as Error).name}: ${(error as Error).message}`);
        process.exit(3);
      }
    }
    return Array.from(out.dataSync() as Float32Array);
  });
  parallel?.averageGradients();
  const gradients = Object.fromEntries(
    [...model.namedParameters()].map(([name, p]) => [name, p.grad!.toArray()]),
  );
  optimizer.step();
  optimizer.zeroGrad();
  const state = Object.fromEntries([...model.stateDict()].map(([name, t]) => [name, t.toArray()]));
  history.push({ outputs, gradients, state });
}
writeFileAtomicSync(join(dir, `${mode}-rank${group?.rank ?? 0}.json`), JSON.stringify(history));
group?.barrier();
group?.destroy();

/**
 * One rank of the DDP comparison (ddp-reference.test.ts): a small Conv-BatchNorm-Linear net
 * trained for a few SGD steps with nnr's DataParallel over a real Gloo group, the rank taken
 * from the launcher's environment. Rank 1 starts from other weights on purpose: the start
 * must come from rank 0's broadcast. Rank 0 writes the data, the initial weights and the
 * state after every step as JSON into the folder named by the first argument.
 *
 * node --import tsx test/distributed/ddp-worker.ts DIR   (with RANK, WORLD_SIZE, MASTER_*)
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
  type Tensor,
  tensor,
  tidy,
} from "../../src/engine/index.js";
import { writeFileAtomicSync } from "../../src/io/atomic.js";
import { BatchNorm2d, Conv2d, Flatten, Linear, ReLU, Sequential, SGD } from "../../src/nn/index.js";
import { categoricalCrossEntropy } from "../../src/nn/losses.js";
import { DDP_CASE } from "./ddp-case.js";

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
const { steps, globalBatch, imageSize, classes, channels } = DDP_CASE;
const init = new Generator(7 + env.rank, "init");
const model = new Sequential([
  new Conv2d({ inChannels: 1, outChannels: channels, kernelSize: 3, generator: init }),
  new BatchNorm2d(channels),
  new ReLU(),
  new Flatten(),
  new Linear({
    inFeatures: channels * (imageSize - 2) ** 2,
    outFeatures: classes,
    generator: init,
  }),
]);
const parallel = new DataParallel(group, model);
parallel.syncInitialState();
const optimizer = new SGD(model.parameters(), { lr: DDP_CASE.lr, momentum: DDP_CASE.momentum });

const data = new Generator(DDP_CASE.dataSeed, "data");
const examples = steps * globalBatch;
const images = rand([examples, 1, imageSize, imageSize], data);
const labels = randint(0, classes, [examples], data, { dtype: "int32" });
const imageValues = images.dataSync() as Float32Array;
const labelValues = labels.dataSync() as Int32Array;

const stateJson = () =>
  Object.fromEntries([...model.stateDict()].map(([name, t]) => [name, t.toArray()]));
const write = (name: string, value: unknown) => {
  if (group.isLeader) writeFileAtomicSync(join(dir, name), JSON.stringify(value));
};
write("data.json", {
  images: Array.from(imageValues),
  labels: Array.from(labelValues),
  shape: [examples, 1, imageSize, imageSize],
});
write("init.json", stateJson());

const pixels = imageSize * imageSize;
const history: unknown[] = [];
for (let step = 0; step < steps; step++) {
  const start = step * globalBatch;
  const batch: Batch = {
    images: imageValues.subarray(start * pixels, (start + globalBatch) * pixels),
    imageShape: [globalBatch, 1, imageSize, imageSize],
    labels: labelValues.subarray(start, start + globalBatch),
    indices: Int32Array.from({ length: globalBatch }, (_, i) => start + i),
    epoch: 0,
    batchInEpoch: step,
  };
  const local = parallel.slice(batch);
  parallel.beforeForward();
  tidy(() => {
    const x: Tensor = tensor(local.images, local.imageShape);
    const y = tensor(local.labels as Int32Array, [local.labels.length]).long();
    categoricalCrossEntropy(model.forward(x), y).backward();
  });
  parallel.averageGradients();
  optimizer.step();
  optimizer.zeroGrad();
  history.push(stateJson());
}
write("nnr-steps.json", history);
group.barrier();
group.destroy();

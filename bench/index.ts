/**
 * `npm run bench`: the engine's headline figures. SmallCNN training at 1 and 2 threads against
 * PyTorch-Python in both layouts (batch 128, the original's), then ResNet18-CIFAR (batch 32 to
 * keep a 2-core run short), then data parallelism (bench/data-parallel.ts: 2 ranks × 1 thread
 * against 1 × 1 at batch 128). Other benchmarks: bench/data-throughput.ts (the input pipeline),
 * bench/demo-workers.ts (the experiment runner), `nnr overhead` (deterministic kernels).
 */
import { spawnSync } from "node:child_process";

const runs = [
  ["--model", "smallcnn", "--batch", "128", "--threads", "1,2"],
  [
    "--model",
    "resnet18",
    "--batch",
    "32",
    "--warmup",
    "1",
    "--steps",
    "3",
    "--rounds",
    "2",
    "--threads",
    "2",
  ],
];
const script = new URL("./training-throughput.ts", import.meta.url).pathname;
const dataParallel = new URL("./data-parallel.ts", import.meta.url).pathname;
for (const [file, args] of [
  ...runs.map((args) => [script, args] as const),
  [dataParallel, []] as const,
]) {
  const run = spawnSync(process.execPath, ["--import", "tsx", file, ...args], {
    stdio: "inherit",
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
}

/**
 * `npm run bench`: the engine's headline figures. SmallCNN training at 1 and 2 threads against
 * PyTorch-Python in both layouts (batch 128, the original's), then ResNet18-CIFAR (batch 32 to
 * keep a 2-core run short), data parallelism (bench/data-parallel.ts: 2 ranks × 1 thread against
 * 1 × 1 at batch 128), end to end (`nnr train` against a PyTorch script, process start to test
 * accuracy) and the resident set over 10,000 training steps. Other benchmarks:
 * bench/data-throughput.ts (the input pipeline), bench/data-formats.ts (NumPy, Parquet and
 * CIFAR's python files beside IDX), bench/demo-workers.ts (the experiment runner),
 * bench/optimizer-step.ts (Adam's step), `nnr overhead` (deterministic kernels).
 */
import { spawnSync } from "node:child_process";

const throughput = new URL("./training-throughput.ts", import.meta.url).pathname;
const runs: [string, string[]][] = [
  [throughput, ["--model", "smallcnn", "--batch", "128", "--threads", "1,2"]],
  [
    throughput,
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
  ],
  [new URL("./data-parallel.ts", import.meta.url).pathname, []],
  [new URL("./end-to-end.ts", import.meta.url).pathname, ["--threads", "1,2"]],
  [new URL("./memory-flat.ts", import.meta.url).pathname, ["--steps", "10000"]],
];
for (const [script, args] of runs) {
  const run = spawnSync(process.execPath, ["--import", "tsx", script, ...args], {
    stdio: "inherit",
  });
  if (run.status !== 0) process.exit(run.status ?? 1);
}

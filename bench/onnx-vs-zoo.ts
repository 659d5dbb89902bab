/**
 * An imported model must not pay for being imported: nnr's SmallCNN defined in PyTorch and
 * exported to ONNX in training mode (examples/smallcnn-pytorch.onnx, written by
 * examples/export_smallcnn.py) against nnr's own SmallCNN, in one process, alternating rounds,
 * same layout, threads, batch (random Fashion-MNIST-shaped, 1×28×28, 10 classes) and Adam as
 * bench/smallcnn-fashion.ts. The graph starts from the zoo model's initial weights (its layers
 * carry the zoo's names), and after 5 steps on the same batch both must hold the same bits.
 *
 *   npx tsx bench/onnx-vs-zoo.ts [--memory-format channels_last|contiguous] [--threads 1,2]
 *       [--rounds 7] [--batch 128]
 *
 * Prints the median milliseconds per training step each way (10 × --rounds steps each) and
 * their ratio (imported / zoo; the target is at most 1.10).
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { Generator, setThreads, tidy } from "../src/engine/index.js";
import {
  Adam,
  categoricalCrossEntropy,
  type Model,
  type ModelMemoryFormat,
} from "../src/nn/index.js";
import { OnnxClassifier, readOnnxModel } from "../src/onnx/index.js";
import { fashionBatch, smallCnnOnFashionShapes } from "./smallcnn-fashion.js";

const MODEL = resolve(import.meta.dirname, "../examples/smallcnn-pytorch.onnx");

const { values } = parseArgs({
  options: {
    "memory-format": { type: "string", default: "channels_last" },
    threads: { type: "string", default: "1,2" },
    rounds: { type: "string", default: "7" },
    batch: { type: "string", default: "128" },
  },
});
const format = values["memory-format"] as ModelMemoryFormat;
const rounds = Number(values.rounds);
const batch = Number(values.batch);
const threadCounts = values.threads.split(",").map(Number);
if (
  !["contiguous", "channels_last"].includes(format) ||
  !(rounds > 0) ||
  !(Number.isInteger(batch) && batch > 0) ||
  threadCounts.some((t) => !Number.isInteger(t) || t < 1)
) {
  console.error(
    "onnx-vs-zoo: --memory-format contiguous|channels_last, --threads 1,2, --rounds N, --batch N",
  );
  process.exit(2);
}

interface Training {
  network: Model;
  step(): void;
  dispose(): void;
}

/** The zoo's SmallCNN and the imported one, from the same weights, on the same batch. */
function pair(): { zoo: Training; onnx: Training } {
  const zoo = smallCnnOnFashionShapes(format, batch);
  const network = new OnnxClassifier(readOnnxModel(MODEL), {
    classes: 10,
    inputShape: [1, 28, 28],
    memoryFormat: format,
    dropoutGenerator: new Generator(0, "dropout"),
  });
  network.toMemoryFormat(format).train();
  network.loadStateDict(zoo.network.stateDict());
  const optimizer = new Adam(network.parameters(), { lr: 4e-4, eps: 1e-7 });
  // The zoo's batch, drawn again from the same generator.
  const { x, y } = fashionBatch(batch);
  const onnx: Training = {
    network,
    step: () =>
      tidy(() => {
        optimizer.zeroGrad();
        categoricalCrossEntropy(network.forward(x), y).backward();
        optimizer.step();
      }),
    dispose: () => {
      for (const t of [x, y]) t.dispose();
      optimizer.dispose();
      network.dispose();
    },
  };
  return { zoo, onnx };
}

/** Each parameter's bits after `steps` steps, by name. */
function weightsAfter(training: Training, steps: number): Map<string, string> {
  for (let i = 0; i < steps; i++) training.step();
  return new Map(
    [...training.network.stateDict()].map(([name, t]) => [
      name,
      bitsOf(tidy(() => t.contiguous().dataSync() as Float32Array)),
    ]),
  );
}

function sameBits(): boolean {
  const { zoo, onnx } = pair();
  try {
    const [a, b] = [weightsAfter(zoo, 5), weightsAfter(onnx, 5)];
    return a.size === b.size && [...a].every(([name, bits]) => b.get(name) === bits);
  } finally {
    zoo.dispose();
    onnx.dispose();
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/**
 * Median ms per step of each: single steps, alternating (zoo, imported, imported, zoo, …) so
 * that the load of a shared machine falls on both alike; 10 untimed steps each first.
 */
function alternate(): [number, number] {
  const { zoo, onnx } = pair();
  const times: number[][] = [[], []];
  try {
    for (let i = 0; i < 10; i++) for (const training of [zoo, onnx]) training.step();
    for (let round = 0; round < rounds * 10; round++) {
      for (const way of round % 2 === 0 ? [0, 1] : [1, 0]) {
        const start = process.hrtime.bigint();
        (way === 0 ? zoo : onnx).step();
        times[way]!.push(Number(process.hrtime.bigint() - start) / 1e6);
      }
    }
  } finally {
    zoo.dispose();
    onnx.dispose();
  }
  return [median(times[0]!), median(times[1]!)];
}

console.log(
  `SmallCNN training step, nnr's zoo vs the PyTorch export (${MODEL}), ${format}, batch ${batch}, Adam, ${rounds} rounds`,
);
for (const threads of threadCounts) {
  setThreads(threads);
  const label = `${threads} thread${threads === 1 ? "" : "s"}`;
  const [zoo, onnx] = alternate();
  console.log(
    `${label}: zoo ${zoo.toFixed(3)} ms, imported ${onnx.toFixed(3)} ms per step: imported / zoo ${(onnx / zoo).toFixed(3)}`,
  );
  const same = sameBits();
  console.log(
    `${label}, weights after 5 steps from the same weights and batch: ${same ? "identical" : "DIFFERENT"}`,
  );
  if (!same) process.exitCode = 1;
}

function bitsOf(values: Float32Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString("base64");
}

/**
 * `npx tsx bench/keras-h5-read.ts FILE.h5 [REPEATS]`: how long the L2 analysis takes to read
 * one of the original's Keras checkpoints (io/keras-h5.ts, pure-JS jsfive) and flatten its
 * trained weights. Prints the median of REPEATS reads (default 3), the weights read and MB/s.
 * A ResNet18-sized file: `/usr/bin/python3 bench/make_keras_h5.py /tmp/resnet18-like.h5`;
 * any `model.save(...h5)` of the original's runs will do.
 */
import { statSync } from "node:fs";
import { readCheckpointWeights } from "../src/analysis/group/group-weights.js";

const [file, repeatsText] = process.argv.slice(2);
if (file === undefined) {
  console.error("usage: npx tsx bench/keras-h5-read.ts FILE.h5 [REPEATS]");
  process.exit(2);
}
const repeats = Number(repeatsText ?? 3);
const times: number[] = [];
let values = 0;
for (let i = 0; i < repeats; i++) {
  const started = performance.now();
  values = readCheckpointWeights(file).values.length;
  times.push(performance.now() - started);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)]!;
const megabytes = statSync(file).size / 1e6;
console.log(
  `${file}: ${megabytes.toFixed(1)} MB, ${values.toLocaleString("en")} trained weights; read + flatten ${median.toFixed(0)} ms (median of ${repeats}), ${(megabytes / (median / 1000)).toFixed(0)} MB/s`,
);

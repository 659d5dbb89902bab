/**
 * Adam's step in one native call against the per-parameter path it replaced (the Optimizer
 * base class's step: adamUpdate per parameter, about ten crossings into the addon each), on
 * the same model in one process, alternating, so that the machine's load falls on both alike.
 *
 *   npx tsx bench/optimizer-step.ts [--memory-format contiguous] [--batch 128] [--rounds 7]
 *
 * SmallCNN on a Fashion-MNIST-shaped batch (1×28×28), 1 thread. Prints the median time of the
 * whole training step and of the optimizer step alone, each way, and their ratios.
 */
import { parseArgs } from "node:util";
import { setThreads, tidy } from "../src/engine/index.js";
import { Adam, type ModelMemoryFormat } from "../src/nn/index.js";
import { Optimizer } from "../src/nn/optim/optimizer.js";
import { smallCnnOnFashionShapes } from "./smallcnn-fashion.js";

const { values } = parseArgs({
  options: {
    "memory-format": { type: "string", default: "contiguous" },
    batch: { type: "string", default: "128" },
    rounds: { type: "string", default: "7" },
  },
});
const format = values["memory-format"] as ModelMemoryFormat;
const [batch, rounds] = [values.batch, values.rounds].map(Number) as [number, number];
if (!["contiguous", "channels_last"].includes(format) || !(batch > 0) || !(rounds > 0)) {
  console.error("optimizer-step: --memory-format contiguous|channels_last, --batch N, --rounds N");
  process.exit(2);
}
setThreads(1);
const oneCall = Adam.prototype.step;
const perOp = Optimizer.prototype.step;
const { optimizer, backward, dispose } = smallCnnOnFashionShapes(format, batch);
const ms = (start: bigint) => Number(process.hrtime.bigint() - start) / 1e6;
const times = { step: new Map<string, number[]>(), optimizer: new Map<string, number[]>() };
for (let i = 0; i < 3; i++) {
  tidy(backward);
  optimizer.step();
  optimizer.zeroGrad();
}
for (let round = 0; round < rounds; round++) {
  for (const [name, step] of [
    ["per-op", perOp],
    ["one call", oneCall],
  ] as const) {
    Adam.prototype.step = step;
    for (let i = 0; i < 10; i++) {
      let start = process.hrtime.bigint();
      tidy(() => {
        optimizer.zeroGrad();
        backward();
        optimizer.step();
      });
      times.step.set(name, [...(times.step.get(name) ?? []), ms(start)]);
      tidy(backward);
      start = process.hrtime.bigint();
      optimizer.step();
      times.optimizer.set(name, [...(times.optimizer.get(name) ?? []), ms(start)]);
      optimizer.zeroGrad();
    }
  }
}
Adam.prototype.step = oneCall;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
console.log(`SmallCNN, 1×28×28, batch ${batch}, ${format}, 1 thread, ${rounds} rounds × 10 steps`);
for (const [what, map] of Object.entries(times)) {
  const [a, b] = [median(map.get("per-op")!), median(map.get("one call")!)];
  console.log(
    `${what.padEnd(9)} per-op ${a.toFixed(3)} ms, one call ${b.toFixed(3)} ms: ${(a / b).toFixed(3)}×`,
  );
}
dispose();

/**
 * `npx tsx bench/analysis-scale.ts [DIR]`: writes a synthetic experiment of 100 groups × 10
 * runs × 10,000 test examples (25 families × the four settings; ALGO+IMPL, ALGO and IMPL
 * runs flip predictions at run-specific rates, Control's are identical) and times
 * `nnr analyze` on it, the CLI as a user runs it.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { RandomStream } from "../src/random/stream.js";

const FAMILIES = 25;
const RUNS = 10;
const EXAMPLES = 10_000;
const CLASSES = 10;
const SETTINGS = { "algo+impl": 0.06, algo: 0.05, impl: 0.03, control: 0 };

const root = process.argv[2] ?? mkdtempSync(join(tmpdir(), "nnr-analysis-scale-"));
const rng = RandomStream.named(1, "simulation");
const labels = Int32Array.from({ length: EXAMPLES }, () => rng.nextInt(CLASSES));
const labelsText = `${labels.join("\n")}\n`;
for (let family = 0; family < FAMILIES; family++) {
  const hard = Float64Array.from({ length: EXAMPLES }, () => rng.nextFloat() ** 3);
  for (const [setting, rate] of Object.entries(SETTINGS)) {
    for (let replicate = 0; replicate < RUNS; replicate++) {
      const dir = join(root, `m${family}_${setting}`, `r${replicate}`);
      mkdirSync(dir, { recursive: true });
      const scale = setting === "control" ? 0 : rate * (0.5 + rng.nextFloat());
      const predictions = Int32Array.from(labels, (label, e) =>
        rng.nextFloat() < hard[e]! * 0.3 + scale * hard[e]! ? rng.nextInt(CLASSES) : label,
      );
      writeFileSync(join(dir, "pred3.txt"), `${predictions.join("\n")}\n`);
      writeFileSync(join(dir, "test-labels.txt"), labelsText);
      const record = {
        format: "nnr-run/1",
        status: "complete",
        group: `m${family}_synthetic_${setting}`,
        replicate,
        config: {
          model: `m${family}`,
          dataset: "synthetic",
          setting,
          batchNorm: false,
          epochs: 3,
          threads: 1,
          device: "cpu",
        },
        task: { kind: "multiclass", classes: CLASSES, testExamples: EXAMPLES },
        epochsDone: 3,
        predictions: { 3: "pred3.txt" },
        weightsSha256: setting === "control" ? "control" : `${setting}${replicate}`,
      };
      writeFileSync(join(dir, "run.json"), JSON.stringify(record));
    }
  }
}
const started = performance.now();
const run = spawnSync(process.execPath, ["bin/nnr.js", "analyze", root], {
  stdio: ["ignore", "ignore", "inherit"],
});
const seconds = (performance.now() - started) / 1000;
console.log(
  `nnr analyze ${root}: ${FAMILIES * 4} groups × ${RUNS} runs × ${EXAMPLES} examples in ${seconds.toFixed(1)} s (exit ${run.status})`,
);

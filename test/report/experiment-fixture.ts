import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { RandomStream } from "../../src/random/stream.js";
import { tempDir, writeNnrRun } from "../analysis/fixtures.js";

/**
 * A small experiment with every kind of data the report shows: three settings of a
 * 4-class model (ALGO noisier than IMPL, Control identical), a multi-label group with
 * Male/Young subgroups, and an overhead.csv.
 */
export function writeExperiment(): string {
  const root = tempDir("report");
  const rng = RandomStream.named(11, "simulation");
  const labels = Array.from({ length: 300 }, () => rng.nextInt(4));
  const flipRate: Record<string, number> = { algo: 0.3, impl: 0.1, control: 0 };
  for (const setting of ["algo", "impl", "control"]) {
    for (let replicate = 0; replicate < 6; replicate++) {
      const predictions = labels.map((label, e) => {
        const base = e % 5 === 0 ? (label + 1) % 4 : label;
        return rng.nextFloat() < flipRate[setting]! ? rng.nextInt(4) : base;
      });
      writeNnrRun(root, {
        setting,
        replicate,
        labels,
        classes: 4,
        predictions: { 3: predictions },
        weightsSha256: setting === "control" ? "same" : `w${replicate}`,
        checkpoints: { 3: setting === "control" ? [1, 2, 3] : [rng.nextFloat(), 2, 3] },
      });
    }
  }
  const names = ["Smiling", "Male", "Young", "Eyeglasses"];
  const attributes = Array.from({ length: 200 }, () => names.map(() => rng.nextInt(2)));
  for (let replicate = 0; replicate < 5; replicate++) {
    writeNnrRun(root, {
      model: "resnet18",
      dataset: "celeba",
      setting: "algo",
      replicate,
      kind: "multilabel",
      classes: names.length,
      classNames: names,
      labels: attributes,
      predictions: {
        2: attributes.map((row) => row.map((v) => (rng.nextFloat() < 0.1 ? 1 - v : v))),
      },
    });
  }
  writeFileSync(
    join(root, "overhead.csv"),
    "model,device,threads,batch_size,iterations,default_ms,deterministic_ms,overhead\n" +
      "smallcnn,cpu,1,128,100,40.0,40.0,1.0\nresnet18,cuda,1,128,100,120.0,300.0,2.5\n",
  );
  return root;
}

export const EXPECTED_CHARTS = [
  "runs",
  "accuracy-spread",
  "churn",
  "per-class-spread",
  "instability-histogram",
  "subgroup-error-spread",
  "determinism-overhead",
];

/**
 * InceptionV3 and EfficientNetB0 against functional rewrites of Keras's sources in PyTorch
 * (scripts/fixtures/keras_zoo.py): the same weights and input give the same training-mode
 * logits, first-layer gradient and updated running statistics, and the same eval-mode logits.
 * The weights are drawn here and handed over in a file (InceptionV3's are ~90 MB, too large to
 * keep as a fixture). Small inputs keep it quick; EfficientNetB0 at an odd size exercises
 * Keras's asymmetric padding of its stride-2 convolutions. Tolerance: 1e-4 of the largest
 * magnitude (float32 through ~100 layers, summed in different orders).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Generator, randn, type Tensor, tidy } from "../../src/engine/index.js";
import { readSafetensors, writeSafetensors } from "../../src/io/safetensors.js";
import { fromSafetensorsEntry, toSafetensorsEntry } from "../../src/nn/checkpoint.js";
import { createModel } from "../../src/nn/models/index.js";
import { PYTHON, pythonTorchUnavailable } from "./helpers.js";

const script = new URL("../../scripts/fixtures/keras_zoo.py", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "nnr-zoo-parity-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** max |ours − theirs| ≤ 1e-4 · max(1, max |theirs|). */
function expectClose(ours: Tensor, theirs: Tensor, what: string): void {
  const difference = ours.sub(theirs).abs().max().item() as number;
  const scale = Math.max(1, theirs.abs().max().item() as number);
  expect(difference, `${what}: max |Δ| ${difference} against scale ${scale}`).toBeLessThanOrEqual(
    1e-4 * scale,
  );
}

const noTorch = pythonTorchUnavailable();
describe.skipIf(noTorch !== null)(
  `Keras-zoo models against PyTorch rewrites of Keras's sources${noTorch === null ? "" : ` (skipped: ${noTorch})`}`,
  () => {
    for (const [name, size] of [
      ["inceptionv3", 80],
      ["efficientnetb0", 65],
    ] as const) {
      it(`${name} at ${size}×${size}: train logits, first gradient, running statistics, eval logits`, () => {
        const model = createModel(name, {
          generator: new Generator(0, "init"),
          classes: 10,
          inputShape: [3, size, size],
        });
        const input = join(dir, `${name}-in.safetensors`);
        const output = join(dir, `${name}-out.safetensors`);
        tidy(() => {
          const entries = new Map<string, ReturnType<typeof toSafetensorsEntry>>();
          for (const [key, t] of model.stateDict()) entries.set(`w.${key}`, toSafetensorsEntry(t));
          const x = randn([2, 3, size, size], new Generator(1, "input"));
          entries.set("x", toSafetensorsEntry(x));
          writeSafetensors(input, entries);
          const run = spawnSync(PYTHON, [script, name, input, output], { encoding: "utf8" });
          expect(run.stderr).toBe("");
          expect(run.status).toBe(0);
          const theirs = new Map(
            [...readSafetensors(output).tensors].map(([key, entry]) => [
              key,
              fromSafetensorsEntry(entry),
            ]),
          );

          const logits = model.train().forward(x);
          expectClose(logits, theirs.get("out.train")!, "training-mode logits");
          logits.square().mean().backward();
          expectClose(model.parameters()[0]!.grad!, theirs.get("grad.first")!, "first gradient");
          let statistics = 0;
          for (const [key, t] of model.stateDict()) {
            if (!key.includes("running")) continue;
            expectClose(t, theirs.get(`after.${key}`)!, key);
            statistics++;
          }
          // Every BatchNorm's statistics, as many as the reference updated (49 layers in B0).
          const updated = [...theirs.keys()].filter((key) => key.startsWith("after."));
          expect(statistics).toBe(updated.length);
          expect(statistics).toBeGreaterThanOrEqual(98);
          expectClose(model.eval().forward(x), theirs.get("out.eval")!, "eval-mode logits");
        });
        model.dispose();
      });
    }
  },
);

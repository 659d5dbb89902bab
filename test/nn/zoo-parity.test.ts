/**
 * InceptionV3, EfficientNetB0, Xception, MobileNet (v1), DenseNet121 and DenseNet201 against
 * functional rewrites of Keras's sources in PyTorch (scripts/fixtures/keras_zoo.py): the same
 * weights and input give the same training-mode logits, first-convolution gradient and updated
 * running statistics, and the same eval-mode logits. The weights are drawn here and handed over
 * in a file (InceptionV3's and Xception's are ~90 MB, too large to keep as fixtures). Small
 * inputs keep it quick, at sizes chosen to exercise Keras's padding: EfficientNetB0 and
 * MobileNet at an odd size (asymmetric "same" padding of stride-2 convolutions; MobileNet's
 * zero row and column before its strided depthwise convs), Xception at 77 (even maps before
 * two of its "same" 3×3/2 max-pools, which then pad bottom/right only, to line up with the
 * strided 1×1 shortcuts), DenseNet121 at an odd size (its 2×2 average pools drop a row).
 * Tolerance: 1e-4 of the largest magnitude, at least 1 (float32 through ~100 layers, summed in
 * different orders); eval-mode logits relative to their own magnitude. Both sides run here, on
 * this CPU, so no committed numbers are involved and the tolerance need not cover other CPUs.
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

/** max |ours − theirs| ≤ 1e-4 · max(floor, max |theirs|). */
function expectClose(ours: Tensor, theirs: Tensor, what: string, floor = 1): void {
  const difference = ours.sub(theirs).abs().max().item() as number;
  const scale = Math.max(floor, theirs.abs().max().item() as number);
  expect(difference, `${what}: max |Δ| ${difference} against scale ${scale}`).toBeLessThanOrEqual(
    1e-4 * scale,
  );
}

const noTorch = pythonTorchUnavailable();
describe.skipIf(noTorch !== null)(
  `Keras-zoo models against PyTorch rewrites of Keras's sources${noTorch === null ? "" : ` (skipped: ${noTorch})`}`,
  () => {
    // [model, input size, BatchNorm layers]
    for (const [name, size, batchNorms] of [
      ["inceptionv3", 80, 94],
      ["efficientnetb0", 65, 49],
      ["xception", 77, 40],
      ["mobilenet", 65, 27],
      ["densenet121", 65, 121],
      ["densenet201", 64, 201],
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
          // Every BatchNorm's statistics, as many as the reference updated.
          const updated = [...theirs.keys()].filter((key) => key.startsWith("after."));
          expect(statistics).toBe(updated.length);
          expect(statistics).toBe(2 * batchNorms);
          // After one step the moving statistics are still near (0, 1), so the eval-mode logits
          // are small (1e-4 to 1e-1 here): compare them to their own magnitude, not to 1.
          const evalLogits = theirs.get("out.eval")!;
          expectClose(model.eval().forward(x), evalLogits, "eval-mode logits", 1e-30);
        });
        model.dispose();
      });
    }
  },
);

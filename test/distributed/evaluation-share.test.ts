/**
 * Evaluation split over ranks (distributed/evaluation-share.ts): what two ranks compute, each
 * its own range of the test batches, then summed, is bit for bit what one process computes
 * alone. The two ranks are played in one process here: rank 1 evaluates first and keeps its
 * arrays; rank 0's sum adds them, as Gloo's sum over 2 ranks does (a + b, element by element).
 * The real collective runs in test/distributed/nproc.test.ts, where 2-rank runs keep their bits.
 */
import { describe, expect, it } from "vitest";
import { sliceBounds } from "../../src/data/batch-split.js";
import { loadDataset } from "../../src/data/registry.js";
import type { EvaluationShare } from "../../src/distributed/evaluation-share.js";
import { Generator, setThreads } from "../../src/engine/index.js";
import { createModel } from "../../src/nn/index.js";
import { firstExamples } from "../../src/train/data-setup.js";
import { evaluate } from "../../src/train/evaluate.js";

type Arrays = ReadonlyArray<Float32Array | Float64Array>;

function playedRank(rank: number, combine: (arrays: Arrays) => void): EvaluationShare {
  return { begin: () => {}, batchRange: (batches) => sliceBounds(batches, rank, 2), combine };
}

describe("evaluation split over 2 ranks", () => {
  it("gives the bits of one process: probabilities, loss, accuracy, predictions", async () => {
    setThreads(1);
    // 1,000 examples (all of the committed subset, where the full set is absent): two
    // batches of 500, one per rank.
    const test = firstExamples(loadDataset("fashion-mnist", { split: "test" }), 1000);
    const model = createModel("smallcnn", {
      generator: new Generator(3, "init"),
      classes: 10,
      inputShape: [1, 28, 28],
    });
    const alone = await evaluate(model, test, [], "cpu");
    let rankOne: (Float32Array | Float64Array)[] = [];
    let ranksLeftZero = true;
    await evaluate(
      model,
      test,
      [],
      "cpu",
      undefined,
      playedRank(1, (arrays) => {
        rankOne = arrays.map((a) => a.slice());
      }),
    );
    const shared = await evaluate(
      model,
      test,
      [],
      "cpu",
      undefined,
      playedRank(0, (arrays) => {
        arrays.forEach((array, i) => {
          const theirs = rankOne[i]!;
          for (let k = 0; k < array.length; k++) {
            // Each entry is filled by exactly one rank.
            if (array[k] !== 0 && theirs[k] !== 0) ranksLeftZero = false;
            array[k] = array[k]! + theirs[k]!;
          }
        });
      }),
    );
    expect(ranksLeftZero).toBe(true);
    expect(Buffer.from(shared.probabilities.buffer)).toEqual(
      Buffer.from(alone.probabilities.buffer),
    );
    expect(Object.is(shared.loss, alone.loss)).toBe(true);
    expect(shared.accuracy).toBe(alone.accuracy);
    expect(shared.predictions).toEqual(alone.predictions);
    model.dispose();
  });
});

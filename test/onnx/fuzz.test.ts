/**
 * The reader fuzzed with fast-check: valid models (built in code and exported by PyTorch)
 * truncated, with bytes overwritten, inserted or removed, and bytes at random. Every input
 * must end in a model (built into a module, then freed) or a one-line UserError naming the
 * file: never another exception, a crash or a hang. Bounded: a fixed seed and number of runs,
 * and a time limit.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Generator, liveTensors } from "../../src/engine/index.js";
import { isUserError } from "../../src/errors.js";
import { OnnxModule, parseOnnxModel } from "../../src/onnx/index.js";
import { linearModel, modelBytes } from "./build-model.js";

const FILE = "/nonexistent-folder/fuzzed.onnx";
const seeds = [
  modelBytes(linearModel()),
  readFileSync(new URL("./fixtures/bn_cnn.onnx", import.meta.url)),
  readFileSync(new URL("./fixtures/residual_mlp.onnx", import.meta.url)),
];

type Outcome = "model" | "refused";

function attempt(bytes: Uint8Array): Outcome {
  try {
    const module = new OnnxModule(parseOnnxModel(bytes, FILE), {
      dropoutGenerator: new Generator(0, "dropout"),
    });
    module.dispose();
    return "model";
  } catch (error) {
    if (!isUserError(error)) throw error;
    if (error.message.includes("\n") || !error.message.startsWith(FILE)) {
      throw new Error(`not a one-line message naming the file: ${error.message}`);
    }
    return "refused";
  }
}

const mutation = fc.oneof(
  fc.record({ kind: fc.constant("truncate" as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant("overwrite" as const),
    edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 8,
    }),
  }),
  fc.record({
    kind: fc.constant("insert" as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ maxLength: 16 }),
  }),
  fc.record({
    kind: fc.constant("remove" as const),
    at: fc.nat(),
    length: fc.integer({ min: 1, max: 16 }),
  }),
);

function mutate(seed: Uint8Array, m: MutationOf): Uint8Array {
  const at = (n: number) => n % (seed.length + 1);
  switch (m.kind) {
    case "truncate":
      return seed.subarray(0, at(m.at));
    case "overwrite": {
      const copy = Uint8Array.from(seed);
      for (const [i, value] of m.edits) copy[i % copy.length] = value;
      return copy;
    }
    case "insert":
      return Buffer.concat([seed.subarray(0, at(m.at)), m.bytes, seed.subarray(at(m.at))]);
    case "remove":
      return Buffer.concat([seed.subarray(0, at(m.at)), seed.subarray(at(m.at) + m.length)]);
  }
}
type MutationOf = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

describe("fuzzing the ONNX reader", () => {
  it("ends every mutated or random input in a model or a one-line refusal", () => {
    const before = liveTensors();
    const counts: Record<Outcome, number> = { model: 0, refused: 0 };
    const record = (bytes: Uint8Array) => {
      counts[attempt(bytes)]++;
    };
    const settings = { seed: 20261206, numRuns: 1500, interruptAfterTimeLimit: 60_000 };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: seeds.length - 1 }), mutation, (which, m) => {
        record(mutate(seeds[which]!, m));
      }),
      settings,
    );
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), record), {
      ...settings,
      numRuns: 500,
    });
    const tried = counts.model + counts.refused;
    console.log(
      `ONNX reader fuzz: ${tried} inputs tried; ${counts.model} read as models, ${counts.refused} refused in one line`,
    );
    expect(tried).toBeGreaterThan(0);
    expect(counts.refused).toBeGreaterThan(0);
    expect(liveTensors()).toBe(before);
  }, 120_000);
});

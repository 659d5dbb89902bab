/**
 * Runs one case of ONNX's backend test suite (a model.onnx with test_data_set_N folders of
 * input_N.pb and output_N.pb): forward only, and compares every output at ONNX's own tolerances.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { Generator, type Tensor, tidy } from "../../src/engine/index.js";
import { isUserError } from "../../src/errors.js";
import {
  OnnxModule,
  type OnnxTensor,
  readOnnxModel,
  readTensorFile,
  tensorFromOnnx,
} from "../../src/onnx/index.js";

/** ONNX's backend tests compare with numpy's isclose at these. */
export const RTOL = 1e-3;
export const ATOL = 1e-7;

/** Cases older than opset 13 run where their ops' definitions are those of 13 (validate.ts). */
export const OLDEST_OPSET = 7;

export type CaseResult =
  | { kind: "passed" }
  | { kind: "failed"; reason: string }
  | { kind: "skipped-op"; reason: string }
  | { kind: "skipped"; reason: string };

export function runCase(dir: string): CaseResult {
  let module: OnnxModule;
  try {
    module = new OnnxModule(readOnnxModel(join(dir, "model.onnx"), { minOpset: OLDEST_OPSET }), {
      dropoutGenerator: new Generator(0, "dropout"),
    });
  } catch (error) {
    if (!isUserError(error)) throw error;
    const kind = error.message.includes("an op nnr does not support") ? "skipped-op" : "skipped";
    return { kind, reason: error.message.replace(/^.*model\.onnx: /, "") };
  }
  const sets = readdirSync(dir).filter((name) => name.startsWith("test_data_set_"));
  let data: ReturnType<typeof readSeries>[][];
  try {
    data = sets.map((set) => [
      readSeries(join(dir, set), "input"),
      readSeries(join(dir, set), "output"),
    ]);
  } catch (error) {
    if (!isUserError(error)) throw error;
    module.dispose();
    return { kind: "skipped", reason: `test data: ${error.message.replace(/^.*\.pb: /, "")}` };
  }
  try {
    const sets = readdirSync(dir).filter((name) => name.startsWith("test_data_set_"));
    for (const [i, set] of sets.entries()) {
      const [inputs, expected] = data[i]!;
      const failure = runDataSet(module, inputs!, expected!);
      if (failure !== null) return { kind: "failed", reason: `${set}: ${failure}` };
    }
    return { kind: "passed" };
  } catch (error) {
    const reason = (error as Error).message.split("\n")[0]!;
    // A supported op's attribute nnr refuses in one line (a dilated AveragePool, …): not run.
    if (isUserError(error) && reason.includes("not supported")) {
      return { kind: "skipped", reason: reason.replace(/^.*model\.onnx: /, "") };
    }
    return { kind: "failed", reason };
  } finally {
    module.dispose();
  }
}

function readSeries(folder: string, prefix: string): OnnxTensor[] {
  const found: OnnxTensor[] = [];
  for (let i = 0; existsSync(join(folder, `${prefix}_${i}.pb`)); i++) {
    found.push(readTensorFile(join(folder, `${prefix}_${i}.pb`)));
  }
  return found;
}

function runDataSet(
  module: OnnxModule,
  inputs: OnnxTensor[],
  expected: OnnxTensor[],
): string | null {
  const graphInputs = module.model.graph.inputs;
  return tidy(() => {
    const feeds = new Map<string, Tensor>();
    inputs.forEach((t, i) => {
      const byName = graphInputs.find((g) => g.name === t.name);
      feeds.set(byName?.name ?? graphInputs[i]?.name ?? t.name, tensorFromOnnx(t));
    });
    const outputs = module.run(feeds);
    for (let i = 0; i < expected.length; i++) {
      const problem = compare(outputs[i]!, expected[i]!);
      if (problem !== null) return `output ${i}: ${problem}`;
    }
    return null;
  });
}

function compare(actual: Tensor, expected: OnnxTensor): string | null {
  const shape = expected.dims.join(",");
  if (actual.shape.join(",") !== shape) return `shape [${actual.shape}] ≠ [${shape}]`;
  const got = actual.toArray();
  const want = Array.from(expected.data as ArrayLike<number | bigint>, Number);
  for (let i = 0; i < want.length; i++) {
    const [a, b] = [got[i]!, want[i]!];
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (a === b) continue;
    if (!(Math.abs(a - b) <= ATOL + RTOL * Math.abs(b))) return `element ${i}: ${a} ≠ ${b}`;
  }
  return null;
}

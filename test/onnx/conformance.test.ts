/**
 * ONNX's own backend test suite (Debian's libonnx-testdata: the node tests and the modules
 * exported from PyTorch), forward, at ONNX's tolerances (rtol 1e-3, atol 1e-7). Every case
 * whose ops nnr supports runs; each passes, or is listed below with the reason it cannot.
 * Prints how many ran, passed, and were skipped (for an unsupported op, or for another reason:
 * an opset before 7, test data in a type nnr does not hold).
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { liveTensors } from "../../src/engine/index.js";
import { type CaseResult, runCase } from "./conformance-cases.js";

const ROOT = "/usr/share/libonnx-testdata/data";
const SUITES = ["node", "pytorch-converted", "pytorch-operator"];

/** Cases that run and cannot pass, each with why. */
const KNOWN_FAILURES: Readonly<Record<string, string>> = {
  "node/test_batchnorm_epsilon_training_mode":
    "running_var: ONNX's reference updates it with the biased batch variance; PyTorch, and so nnr, with the unbiased one",
  "node/test_batchnorm_example_training_mode":
    "running_var: ONNX's reference updates it with the biased batch variance; PyTorch, and so nnr, with the unbiased one",
  "node/test_training_dropout":
    "a random mask: the expected output comes from numpy's generator, nnr draws from its own",
  "node/test_training_dropout_default":
    "a random mask: the expected output comes from numpy's generator, nnr draws from its own",
  "node/test_training_dropout_default_mask":
    "a random mask: the expected output comes from numpy's generator, nnr draws from its own",
  "node/test_training_dropout_mask":
    "a random mask: the expected output comes from numpy's generator, nnr draws from its own",
  "node/test_maxpool_2d_uint8": "libtorch has no max pooling of uint8 tensors",
};

const available = existsSync(join(ROOT, "node"));

describe.skipIf(!available)("ONNX backend test suite (libonnx-testdata)", () => {
  it("passes every case whose ops nnr supports, but those listed with their reason", () => {
    const before = liveTensors();
    const results = new Map<string, CaseResult>();
    for (const suite of SUITES) {
      for (const name of readdirSync(join(ROOT, suite)).sort()) {
        results.set(`${suite}/${name}`, runCase(join(ROOT, suite, name)));
      }
    }
    const count = (kinds: string[]) =>
      [...results.values()].filter((r) => kinds.includes(r.kind)).length;
    const ran = count(["passed", "failed"]);
    console.log(
      `ONNX conformance: ${results.size} cases; ran ${ran}, passed ${count(["passed"])}, ` +
        `skipped ${count(["skipped-op"])} for an unsupported op and ${count(["skipped"])} for another reason; ` +
        `${Object.keys(KNOWN_FAILURES).length} known failures (listed in the test)`,
    );
    const otherReasons = new Map<string, number>();
    for (const r of results.values()) {
      if (r.kind !== "skipped") continue;
      const reason = r.reason.replace(/'[^']*'/g, "…").replace(/opset \d+/, "opset N");
      otherReasons.set(reason, (otherReasons.get(reason) ?? 0) + 1);
    }
    for (const [reason, n] of otherReasons) console.log(`  skipped ${n}: ${reason}`);
    const unexpected = [...results].filter(
      ([name, r]) => r.kind === "failed" && KNOWN_FAILURES[name] === undefined,
    );
    expect(unexpected.map(([name, r]) => `${name}: ${"reason" in r ? r.reason : ""}`)).toEqual([]);
    // The list stays honest: a listed case that now passes (or no longer runs) comes off it.
    const stale = Object.keys(KNOWN_FAILURES).filter(
      (name) => results.get(name)?.kind !== "failed",
    );
    expect(stale).toEqual([]);
    expect(liveTensors()).toBe(before);
  }, 600_000);
});

describe.skipIf(available)("ONNX backend test suite (absent)", () => {
  it.skip(`skipped: ${ROOT} is absent; install Debian's libonnx-testdata to run it`, () => {});
});

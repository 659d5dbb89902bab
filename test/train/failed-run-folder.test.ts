/**
 * A `train` that fails while it sets up (its data folder missing, a count of examples past the
 * data) leaves no empty output folder behind: the folder is made when the run's record is
 * first written. A count past the data is refused rather than recorded as if it had run.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { syntheticPixels, tempDir, writeIdxPair } from "../data/fixtures.js";
import { captureConsole } from "../experiment/helpers.js";

/** An MNIST-format folder of 64 training and 16 test images. */
function smallMnist(): string {
  const dir = tempDir("count");
  const labels = (n: number) => Uint8Array.from({ length: n }, (_, i) => i % 10);
  writeIdxPair(dir, "train", syntheticPixels(64, 28 * 28), labels(64), [28, 28], false);
  writeIdxPair(dir, "t10k", syntheticPixels(16, 28 * 28), labels(16), [28, 28], false);
  return dir;
}

describe("a failed train", () => {
  const output = captureConsole();

  it("leaves no empty output folder", async () => {
    const out = join(mkdtempSync(join(tmpdir(), "nnr-failed-train-")), "run");
    const code = await main([
      "node",
      "nnr",
      "train",
      "--dataset",
      "mnist",
      "--data-dir",
      "/nonexistent",
      "--epochs",
      "1",
      "--out",
      out,
    ]);
    expect(code).not.toBe(0);
    expect(output.lines().join("\n")).toMatch(/nonexistent/);
    expect(existsSync(out)).toBe(false);
  }, 60_000);

  it("refuses --test-examples past the test split, naming the flag and the split's size", async () => {
    const data = smallMnist();
    const out = join(mkdtempSync(join(tmpdir(), "nnr-count-")), "run");
    const args = [
      "node",
      "nnr",
      "train",
      "--dataset",
      "mnist",
      "--data-dir",
      data,
      "--epochs",
      "1",
    ];
    expect(await main([...args, "--test-examples", "100", "--out", out])).not.toBe(0);
    expect(output.lines().join("\n")).toMatch(
      /--test-examples 100 \(a plan's testExamples\): the mnist test split holds 16 examples; give at most 16/,
    );
    expect(existsSync(out)).toBe(false);
    expect(await main([...args, "--train-examples", "65", "--out", out])).not.toBe(0);
    expect(output.lines().join("\n")).toMatch(/--train-examples 65 .* holds 64 examples/);
  }, 60_000);
});

/**
 * A `train` that fails while it sets up (here: its data folder is missing) leaves no empty
 * output folder behind: the folder is made when the run's record is first written.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { captureConsole } from "../experiment/helpers.js";

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
});

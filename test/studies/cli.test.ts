/** `nnr overhead` and `nnr audit`: a small run of each, and one-line errors for bad flags. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseCsvRecords } from "../../src/io/csv.js";
import { runCli, tempDir } from "../train/helpers.js";

const oneLine = (text: string) => text.split("\n").filter((line) => line.trim() !== "");

describe("nnr overhead", () => {
  it("measures with the given settings and records them", async () => {
    const out = tempDir("cli-overhead");
    const args = ["overhead", "--models", "mediumcnn-k1", "--batch-size", "2"];
    args.push("--iterations", "2", "--repeats", "1", "--warmup", "0", "--image-size", "64");
    const result = await runCli([...args, "--out", out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/mediumcnn-k1 .* overhead \d+\.\d+×/);
    const { records } = parseCsvRecords(readFileSync(join(out, "overhead.csv"), "utf8"));
    expect(records[0]).toMatchObject({ batch_size: "2", iterations: "2", image_size: "64" });
  });

  const bad: [string[], RegExp][] = [
    [["--models", "foo"], /--models: unknown model 'foo'/],
    [["--models", "mediumcnn-k1,,vgg16"], /--models .*comma-separated/],
    [["--batch-size", "0"], /--batch-size 0: expected a positive integer/],
    [["--iterations", "x"], /--iterations x: expected a positive integer/],
    [["--image-size", "-3"], /--image-size -3/],
    [["--device", "tpu"], /--device tpu: expected cpu, cuda or cuda:N/],
    [["--memory-format", "nhwc"], /--memory-format nhwc: expected one of/],
  ];
  for (const [flags, message] of bad) {
    it(`refuses ${flags.join(" ")} with one line`, async () => {
      const result = await runCli(["overhead", ...flags, "--out", tempDir("cli-bad")]);
      expect(result.code).toBe(2);
      expect(oneLine(result.stderr)).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    });
  }
});

describe("nnr audit", () => {
  it("prints the table and writes audit.csv for the chosen ops", async () => {
    const out = tempDir("cli-audit");
    const args = ["audit", "--ops", "pool", "--threads", "1", "--batch", "2", "--channels", "8"];
    const result = await runCli([...args, "--size", "8", "--out", out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/maxPool2d 2×2\s+1\s+same bits/);
    expect(result.stdout).toMatch(/0 of 7 ops gave different bits run to run/);
    const { records } = parseCsvRecords(readFileSync(join(out, "audit.csv"), "utf8"));
    expect(records.map((r) => r.op)).toHaveLength(7);
  });

  const bad: [string[], RegExp][] = [
    [["--repeats", "1"], /--repeats 1: expected at least 2/],
    [["--threads", "1,0"], /--threads 0: expected a positive integer/],
    [["--ops", "nosuchop"], /--ops nosuchop: no op matches/],
    [["--channels", "6"], /--channels must be a multiple of 4/],
    [["--device", "cuda:x"], /--device cuda:x: expected cpu, cuda or cuda:N/],
  ];
  for (const [flags, message] of bad) {
    it(`refuses ${flags.join(" ")} with one line`, async () => {
      const result = await runCli(["audit", ...flags, "--out", tempDir("cli-bad")]);
      expect(result.code).toBe(2);
      expect(oneLine(result.stderr)).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    });
  }
});

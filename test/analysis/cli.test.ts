import { existsSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli/main.js";
import { tempDir, writeNnrRun } from "./fixtures.js";

const labels = [0, 1, 2, 1];
const predictionsByRun = [
  [0, 1, 2, 1],
  [0, 1, 1, 1],
  [0, 2, 1, 1],
];

describe("nnr analyze / nnr report (in process)", () => {
  let output: string[];
  let errors: string[];
  beforeEach(() => {
    output = [];
    errors = [];
    vi.spyOn(console, "log").mockImplementation((...args) => void output.push(args.join(" ")));
    vi.spyOn(console, "warn").mockImplementation((...args) => void errors.push(args.join(" ")));
    vi.spyOn(console, "error").mockImplementation((...args) => void errors.push(args.join(" ")));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.exitCode = undefined;
  });

  it("analyze prints the summary table and writes results.csv and results.json", async () => {
    const root = tempDir("cli");
    for (const [replicate, predictions] of predictionsByRun.entries()) {
      writeNnrRun(root, { setting: "algo", replicate, labels, predictions: { 2: predictions } });
    }
    writeNnrRun(root, { setting: "algo", replicate: 9, labels, predictions: { 1: labels } });
    expect(await main(["node", "nnr", "analyze", root, "--resamples", "100"])).toBe(0);
    const text = output.join("\n");
    expect(text).toMatch(/group\s+runs\s+epoch\s+acc mean/);
    // 3 runs, epoch 2, mean accuracy 75%, sample std 25%, churn 33.33%
    expect(text).toMatch(/smallcnn_toy_algo\s+3\s+2\s+75\.00%\s+25\.00% \[[^\]]+\]\s+33\.33%/);
    expect(errors.join("\n")).toMatch(/excluded: .*r9: no pred2\.txt/);
    expect(existsSync(join(root, "results.csv"))).toBe(true);
    expect(JSON.parse(readFileSync(join(root, "results.json"), "utf8")).settings.resamples).toBe(
      100,
    );
  });

  it("report analyses first when results.json is missing, then reuses it", async () => {
    const root = tempDir("cli");
    for (const [replicate, predictions] of predictionsByRun.entries()) {
      writeNnrRun(root, { setting: "impl", replicate, labels, predictions: { 2: predictions } });
    }
    const out = join(root, "out");
    expect(await main(["node", "nnr", "report", root, "--out", out, "--resamples", "50"])).toBe(0);
    expect(output.at(-1)).toMatch(/^analysed and wrote .*report\.html/);
    expect(existsSync(join(out, "results.json"))).toBe(true);
    expect(existsSync(join(out, "charts", "churn.svg"))).toBe(true);
    expect(await main(["node", "nnr", "report", root, "--out", out, "--resamples", "50"])).toBe(0);
    expect(output.at(-1)).toMatch(/^read results\.json; wrote/);
    // Other settings than the saved analysis's: analysed again, not silently reused.
    expect(await main(["node", "nnr", "report", root, "--out", out, "--resamples", "60"])).toBe(0);
    expect(output.at(-1)).toMatch(/^analysed and wrote/);
    // A run added since (a resumed experiment): analysed again, and the new run counted.
    writeNnrRun(root, { setting: "impl", replicate: 3, labels, predictions: { 2: labels } });
    const later = new Date(Date.now() + 5_000);
    utimesSync(join(root, "smallcnn_toy_impl", "r3", "run.json"), later, later);
    expect(await main(["node", "nnr", "report", root, "--out", out, "--resamples", "60"])).toBe(0);
    expect(output.at(-1)).toMatch(/^analysed and wrote/);
    const saved = JSON.parse(readFileSync(join(out, "results.json"), "utf8"));
    expect(saved.groups[0].runs).toHaveLength(4);
    // results.json of another format (an older nnr): analysed again.
    writeFileSync(
      join(out, "results.json"),
      JSON.stringify({ ...saved, format: "nnr-analysis/1" }),
    );
    utimesSync(
      join(out, "results.json"),
      new Date(Date.now() + 10_000),
      new Date(Date.now() + 10_000),
    );
    expect(await main(["node", "nnr", "report", root, "--out", out, "--resamples", "60"])).toBe(0);
    expect(output.at(-1)).toMatch(/^analysed and wrote/);
  });

  it("gives one-line errors and exit code 2 for bad input", async () => {
    const empty = tempDir("cli-empty");
    expect(await main(["node", "nnr", "analyze", empty])).toBe(2);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/no run folders found/);
    errors.length = 0;
    expect(await main(["node", "nnr", "analyze", empty, "--epoch", "zero"])).toBe(2);
    expect(errors.join("\n")).toMatch(/--epoch zero: expected an integer/);
    errors.length = 0;
    expect(await main(["node", "nnr", "analyze", empty, "--labels", join(empty, "nope.txt")])).toBe(
      2,
    );
    expect(errors.join("\n")).toMatch(/--labels .*nope\.txt: no such file/);
  });
});

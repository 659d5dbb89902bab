/**
 * The report's "What the runs ran on" block names the libtorch each group ran on, from
 * run.json's engine record, and shows both where a group mixes releases (an upgrade between
 * runs is the first thing to suspect when a result moves).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { analyzeExperiment } from "../../src/analysis/analyze.js";
import { contextTable } from "../../src/report/html-tables.js";
import { tempDir, writeNnrRun } from "../analysis/fixtures.js";

function withLibtorch(dir: string, version: string): void {
  const path = join(dir, "run.json");
  const record = JSON.parse(readFileSync(path, "utf8"));
  writeFileSync(path, JSON.stringify({ ...record, engine: { libtorch: version } }));
}

function libtorchRow(html: string): string {
  const row = html.split("\n").find((line) => line.includes("<td>libtorch</td>"));
  if (row === undefined) throw new Error("no libtorch row in the context table");
  return row;
}

describe("the report's context block", () => {
  it("names each group's libtorch, both releases where a group mixes them", () => {
    const root = tempDir("libtorch-context");
    const labels = [0, 1, 2, 0, 1, 2];
    const versions: Record<string, string[]> = {
      control: ["1.13.0", "1.13.0"],
      algo: ["1.13.0", "2.6.0"],
    };
    for (const [setting, releases] of Object.entries(versions)) {
      releases.forEach((version, replicate) => {
        const dir = writeNnrRun(root, { setting, replicate, labels, predictions: { 2: labels } });
        withLibtorch(dir, version);
      });
    }
    const result = analyzeExperiment(root, { seed: 1, resamples: 50 });
    const row = libtorchRow(contextTable(result));
    const cells = [...row.matchAll(/<td>([^<]*)<\/td>/g)].map((match) => match[1]);
    const order = result.groups.map((group) => group.label.split("_").at(-1));
    const expected = order.map((setting) => (setting === "algo" ? "1.13.0 / 2.6.0" : "1.13.0"));
    expect(cells).toEqual(["libtorch", ...expected]);
  });
});

import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { analyzeExperiment } from "../../src/analysis/analyze.js";
import type { AnalysisResult } from "../../src/analysis/index.js";
import { findings } from "../../src/report/findings.js";
import { reportHtml } from "../../src/report/html.js";
import { writeReport } from "../../src/report/report.js";
import { EXPECTED_CHARTS, writeExperiment } from "./experiment-fixture.js";

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

describe("report", () => {
  let root: string;
  let result: AnalysisResult;
  let files: Awaited<ReturnType<typeof writeReport>>;
  beforeAll(async () => {
    root = writeExperiment();
    result = analyzeExperiment(root, { seed: 2, resamples: 300 });
    files = await writeReport(result, root);
  });

  it("renders every chart as SVG with marks and as PNG", () => {
    expect(files.charts.map(({ svg }) => svg.replace(/^.*\/|\.svg$/g, ""))).toEqual(
      EXPECTED_CHARTS,
    );
    for (const chart of files.charts) {
      const svg = readFileSync(chart.svg, "utf8");
      expect(svg.startsWith("<svg")).toBe(true);
      // a data mark (role-mark) with at least one drawn item, not just axes
      expect(svg).toMatch(/class="mark-(rect|symbol|rule) role-mark[^"]*"[^>]*><(path|line)/);
      expect([...readFileSync(chart.png).subarray(0, 8)]).toEqual(PNG_SIGNATURE);
      expect(readFileSync(chart.png).length).toBeGreaterThan(2000);
    }
  });

  it("writes a self-contained page: inline SVG, no scripts, no external resources", () => {
    const html = readFileSync(files.html, "utf8");
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/i);
    for (const name of EXPECTED_CHARTS) expect(html).toContain(`data-chart="${name}"`);
    expect(html.match(/<svg/g)?.length).toBe(EXPECTED_CHARTS.length);
  });

  it("states the declared hypotheses first, then what the data show", () => {
    const sentences = findings(result);
    expect(sentences[0]).toMatch(
      /^ALGO and IMPL move accuracy by the same order: σ ratio within 3× either way — /,
    );
    // Control's runs are bit-identical: IMPL vs Control is a fact, with no test and no ratio.
    expect(sentences[1]).toMatch(
      /^IMPL moves accuracy more than Control — .*Control's 6 runs are bit-identical \(std 0\)/,
    );
    // The fixture's ALGO flips 3x as many predictions as IMPL: churn must differ clearly,
    // and 6 + 6 runs (924 relabellings) can show it.
    const churn = sentences.find((sentence) => sentence.startsWith("Churn, ALGO − IMPL"));
    expect(churn).toMatch(/permutation p = 0\.00\d, Holm p = 0\.0\d\d\.$/);
    expect(sentences.join(" ")).toMatch(
      /Control \(smallcnn_toy_control\).*its sample std is 0, bit-identical/,
    );
    expect(sentences.join(" ")).toMatch(
      /Deterministic kernels cost up to 2\.5× the default time \(resnet18 on cuda/,
    );
    expect(sentences.join(" ")).toMatch(
      /resnet18_celeba_algo, subgroup Male=1 \(\d+ examples\): the FNR of \w+/,
    );
  });

  it("prints the level it ran at, short labels and the folder's name as title", () => {
    const html = readFileSync(files.html, "utf8");
    expect(html).toContain(`<title>nnr report: ${basename(root)}</title>`);
    expect(html).toContain("95% χ²");
    // Short labels beside the full group name (two families here: the family is named).
    expect(html).toContain("<td>smallcnn toy · ALGO</td><td>smallcnn_toy_algo</td>");
    const eighty = reportHtml(analyzeExperiment(root, { seed: 2, level: 0.8 }), [], []);
    expect(eighty).toContain("80% χ²");
    // The level, not a figure that ends in 95 (this fixture's 80 % interval starts at 87.95%).
    expect(eighty).not.toMatch(/(?<![\d.])95%/);
  });
});

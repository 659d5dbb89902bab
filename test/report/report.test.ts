import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { analyzeExperiment } from "../../src/analysis/analyze.js";
import type { AnalysisResult } from "../../src/analysis/result-types.js";
import { findings } from "../../src/report/findings.js";
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

  it("states the findings in sentences, comparing IMPL and ALGO first", () => {
    const sentences = findings(result);
    expect(sentences[0]).toMatch(
      /^ALGO vs IMPL \(smallcnn_toy_algo vs smallcnn_toy_impl\): the std of accuracy/,
    );
    // The fixture's ALGO flips 3x as many predictions as IMPL: churn must differ clearly.
    expect(sentences[0]).toMatch(/churn differs by [\d.]+% .*a real difference/);
    expect(sentences.join(" ")).toContain("All 6 runs ended with bit-identical weights.");
    expect(sentences.join(" ")).toMatch(
      /Deterministic kernels cost up to 2\.50× the default time \(resnet18 on cuda/,
    );
    expect(sentences.join(" ")).toMatch(
      /resnet18_celeba_algo, subgroup Male=1 \(\d+ examples\): the FNR of \w+/,
    );
  });
});

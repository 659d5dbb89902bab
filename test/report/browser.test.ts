import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { analyzeExperiment } from "../../src/analysis/analyze.js";
import { writeReport } from "../../src/report/report.js";
import { EXPECTED_CHARTS, writeExperiment } from "./experiment-fixture.js";

const CHROMIUM = "/usr/bin/chromium";

describe("report.html in headless Chromium", () => {
  // Debian's chromium package provides the browser; without it this check cannot run.
  it.skipIf(!existsSync(CHROMIUM))(
    "loads without console errors and shows every chart, non-empty",
    async () => {
      const root = writeExperiment();
      const { html } = await writeReport(analyzeExperiment(root, { resamples: 200 }), root);
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          "--no-sandbox",
          "--disable-gpu",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--no-first-run",
        ],
      });
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        const requests: string[] = [];
        page.on("console", (message) => {
          if (message.type() === "error") errors.push(message.text());
        });
        page.on("pageerror", (error) => errors.push(error.message));
        page.on("request", (request) => requests.push(request.url()));
        await page.goto(pathToFileURL(html).href, { waitUntil: "load" });
        const charts = await page.$$eval("figure[data-chart]", (figures) =>
          figures.map((figure) => {
            const svg = figure.querySelector("svg");
            const box = svg?.getBoundingClientRect();
            return {
              name: figure.getAttribute("data-chart"),
              width: box?.width ?? 0,
              height: box?.height ?? 0,
              // Data marks only (axes, grid and legend are other roles): a chart of no data has none.
              marks: svg?.querySelectorAll("g.role-mark > path, g.role-mark > line").length ?? 0,
            };
          }),
        );
        expect(errors).toEqual([]);
        // Only the page itself is fetched: nothing external.
        expect(requests).toEqual([pathToFileURL(html).href]);
        expect(charts.map((chart) => chart.name)).toEqual(EXPECTED_CHARTS);
        for (const chart of charts) {
          expect(chart.width, chart.name!).toBeGreaterThan(100);
          expect(chart.height, chart.name!).toBeGreaterThan(50);
          expect(chart.marks, chart.name!).toBeGreaterThan(0);
        }
      } finally {
        await browser.close();
      }
    },
  );
});

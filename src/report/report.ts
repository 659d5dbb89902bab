import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  ANALYSIS_FORMAT,
  type AnalysisOptions,
  type AnalysisResult,
  analyzeExperiment,
  DEFAULTS,
  discoverRuns,
  writeResults,
} from "../analysis/index.js";
import { writeFileAtomicSync } from "../io/atomic.js";
import { RUN_JSON } from "../run-folder/files.js";
import { buildCharts } from "./charts.js";
import { findings } from "./findings.js";
import { type RenderedChart, reportHtml } from "./html.js";
import { specToSvg, svgToPng } from "./render.js";

export interface ReportFiles {
  html: string;
  charts: { svg: string; png: string }[];
  /** Whether the analysis was run (results.json was missing) rather than read. */
  analysed: boolean;
}

function sameSettings(saved: AnalysisResult["settings"], options: AnalysisOptions): boolean {
  const wanted = {
    epoch: options.epoch ?? null,
    seed: options.seed ?? DEFAULTS.seed,
    resamples: options.resamples ?? DEFAULTS.resamples,
    level: options.level ?? DEFAULTS.level,
    subgroupAttributes: options.subgroupAttributes ?? DEFAULTS.subgroupAttributes,
    attributeNames: options.attributeNames ?? null,
  };
  const had = {
    epoch: saved.epoch,
    seed: saved.seed,
    resamples: saved.resamples,
    level: saved.level,
    subgroupAttributes: saved.subgroupAttributes,
    attributeNames: saved.attributeNames ?? null,
  };
  return JSON.stringify(wanted) === JSON.stringify(had);
}

/** The newest modification time among the files the analysis of `dir` reads. */
function newestInput(dir: string): number {
  let newest = 0;
  const consider = (path: string | undefined) => {
    if (path !== undefined && existsSync(path)) newest = Math.max(newest, statSync(path).mtimeMs);
  };
  for (const run of discoverRuns(dir).runs) {
    consider(join(run.dir, RUN_JSON));
    consider(run.logFile);
    for (const file of run.predictionFiles.values()) consider(file);
  }
  consider(join(dir, "overhead.csv"));
  return newest;
}

/**
 * Reads results.json from `outDir` when this version wrote it, with the same settings, after
 * the last change to the runs; otherwise runs (and writes) the analysis of `dir`.
 */
export function loadOrAnalyze(
  dir: string,
  outDir: string,
  options: AnalysisOptions,
): { result: AnalysisResult; analysed: boolean } {
  const path = join(outDir, "results.json");
  if (existsSync(path)) {
    const saved = JSON.parse(readFileSync(path, "utf8")) as AnalysisResult;
    // Reuse the saved analysis only if it is of this format, was made with the settings asked
    // for now, and no run has changed since (a resumed experiment adds runs and epochs).
    const fresh =
      saved.format === ANALYSIS_FORMAT &&
      sameSettings(saved.settings, options) &&
      statSync(path).mtimeMs >= newestInput(dir);
    if (fresh) return { result: saved, analysed: false };
  }
  const result = analyzeExperiment(dir, options);
  writeResults(result, outDir);
  return { result, analysed: true };
}

/** Renders the charts (SVG and PNG under `outDir/charts`) and writes report.html. */
export async function writeReport(
  result: AnalysisResult,
  outDir: string,
): Promise<Omit<ReportFiles, "analysed">> {
  const chartDir = join(outDir, "charts");
  mkdirSync(chartDir, { recursive: true });
  const rendered: RenderedChart[] = [];
  const files: { svg: string; png: string }[] = [];
  for (const chart of buildCharts(result)) {
    const svg = await specToSvg(chart.spec);
    const svgPath = join(chartDir, `${chart.name}.svg`);
    const pngPath = join(chartDir, `${chart.name}.png`);
    writeFileAtomicSync(svgPath, svg);
    writeFileAtomicSync(pngPath, svgToPng(svg));
    rendered.push({ name: chart.name, title: chart.title, svg });
    files.push({ svg: svgPath, png: pngPath });
  }
  const html = join(outDir, "report.html");
  writeFileAtomicSync(html, reportHtml(result, rendered, findings(result)));
  return { html, charts: files };
}

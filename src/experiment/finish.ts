/** The end of an experiment: the analysis (results.csv/json) and the report, in the folder. */
import { type AnalysisResult, analyzeExperiment, writeResults } from "../analysis/index.js";
import { writeReport } from "../report/report.js";

export interface FinishedExperiment {
  result: AnalysisResult;
  files: { csv: string; json: string; html: string; charts: number };
  seconds: { analysis: number; report: number };
}

export async function analyzeAndReport(dir: string): Promise<FinishedExperiment> {
  const analysisStart = performance.now();
  const result = analyzeExperiment(dir);
  const written = writeResults(result, dir);
  const reportStart = performance.now();
  const report = await writeReport(result, dir);
  const end = performance.now();
  return {
    result,
    files: {
      csv: written.csv,
      json: written.json,
      html: report.html,
      charts: report.charts.length,
    },
    seconds: { analysis: (reportStart - analysisStart) / 1000, report: (end - reportStart) / 1000 },
  };
}

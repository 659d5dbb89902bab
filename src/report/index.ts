/** The HTML report of an experiment folder, from its analysis (run first when missing). */
export { loadOrAnalyze, type ReportFiles, writeReport } from "./report.js";

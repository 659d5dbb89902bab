/** The analysis library: what `nnr analyze` runs, for use from TypeScript too. */
export { analyzeExperiment, DEFAULTS } from "./analyze.js";
export type { Estimate } from "./estimate.js";
export type * from "./result-types.js";
export { resultRows, writeResults } from "./results-files.js";
export { summaryTable } from "./summary-table.js";

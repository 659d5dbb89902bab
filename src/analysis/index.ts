/**
 * The analysis library: what `nnr analyze` runs, for use from TypeScript too. Every layer
 * above imports the analysis from here, so its files can move without touching them.
 */
export { analyzeExperiment, DEFAULTS } from "./analyze.js";
export { analyzeAsOriginal, asOriginalTable } from "./as-original.js";
export { implSilence } from "./compare/hypothesis-text.js";
export { SETTING_LABELS, STANDARD_SETTINGS, settingLabel } from "./compare/settings.js";
export type * from "./results/result-types.js";
export { ANALYSIS_FORMAT } from "./results/result-types.js";
export { resultRows, writeResults } from "./results/results-files.js";
export { summaryTable } from "./results/summary-table.js";
export { discoverRuns } from "./runs/discover.js";
export { OVERHEAD_COLUMNS_READ, readOverhead } from "./runs/overhead.js";
export { CONTEXT_FIELDS } from "./runs/run-context.js";
export type { Problem } from "./runs/types.js";
export type { Estimate } from "./statistics/estimate.js";

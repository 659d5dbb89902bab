/** The determinism-overhead study: deterministic vs default kernels, time per training step. */
export { type MachineDescription, OVERHEAD_COLUMNS, overheadCsv, overheadRecord } from "./csv.js";
export {
  DEFAULT_SETTINGS,
  measureModel,
  type OverheadMeasurement,
  type OverheadSettings,
} from "./measure.js";
export { defaultStudyModels, parseStudyModel, type StudyModel } from "./models.js";
export { describeMachine, type OverheadCallbacks, type OverheadRun, runOverhead } from "./run.js";
export { summarize, type TimingSummary } from "./stats.js";

/** Experiments: plans (presets or a user's spec), the runner, status, and the finishing analysis. */
export { analyzeAndReport, type FinishedExperiment } from "./finish.js";
export {
  ensurePlanFile,
  expandPlan,
  type Plan,
  type PlanEntry,
  planPath,
  readPlan,
} from "./plan.js";
export { type PlanOverrides, type PlanSource, planFromSource } from "./plan-source.js";
export { type PlanSpec, validatePlanSpec } from "./plan-spec.js";
export { PRESET_NAMES, PRESETS, presetSpec, SCALES, type Scale } from "./presets.js";
export { type RunnerEvent, type RunnerOptions, type RunnerSummary, runPlan } from "./runner.js";
export { type ExperimentStatus, experimentStatus, formatStatus } from "./status.js";

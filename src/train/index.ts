/** One training run: config, seeds, run folder, replay and resume. */

export {
  originalSettingName,
  SETTING_NAMES,
  SETTINGS,
  type SettingName,
  settingOf,
} from "../contract/noise-sources.js";
export { RUN_JSON } from "../run-folder/files.js";
export { groupName, originalSaveEpochs, type RunConfig, runConfigSchema } from "./config.js";
export { type RunRequest, resolveRunConfig } from "./recipes.js";
export type { RunRecord } from "./record.js";
export { type TrainRunOptions, type TrainRunResult, trainRun } from "./run.js";
export { readRunRecord } from "./run-folder.js";
export { drawSeeds, type RunSeeds } from "./seeds.js";

import type { Command } from "commander";
import { registerAnalyze } from "./analyze.js";
import { registerAudit } from "./audit.js";
import { registerDiverge } from "./diverge.js";
import { registerExperiment } from "./experiment.js";
import { registerExport } from "./export.js";
import { registerOriginal } from "./original.js";
import { registerOverhead } from "./overhead.js";
import { registerReport } from "./report.js";
import { registerTrain } from "./train.js";

/** Each command lives in its own file and registers itself on the program. */
export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  registerTrain,
  registerAnalyze,
  registerReport,
  registerExperiment,
  registerOverhead,
  registerOriginal,
  registerAudit,
  registerDiverge,
  registerExport,
];

import { existsSync } from "node:fs";
import { UserError } from "../../errors.js";
import { loadOrAnalyze, writeReport } from "../../report/report.js";
import {
  type AnalysisFlags,
  analysisOptions,
  printProblems,
  withAnalysisOptions,
} from "./analyze.js";
import type { RegisterCommand } from "./index.js";

export const registerReport: RegisterCommand = (program) => {
  withAnalysisOptions(
    program
      .command("report")
      .description(
        "write report.html (charts, summary, findings); analyses DIR first if results.json is missing",
      )
      .argument("<dir>", "experiment folder holding run folders (or results.json)"),
  ).action(async (dir: string, flags: AnalysisFlags) => {
    if (!existsSync(dir)) throw new UserError(`${dir}: no such folder; pass the experiment folder`);
    const outDir = flags.out ?? dir;
    const { result, analysed } = loadOrAnalyze(dir, outDir, analysisOptions(flags));
    if (analysed) printProblems(result);
    const files = await writeReport(result, outDir);
    console.log(
      `${analysed ? "analysed and " : "read results.json; "}wrote ${files.html} and ${files.charts.length} charts`,
    );
  });
};

import { UserError } from "../../errors.js";
import { exportRun } from "../../train/export-run.js";
import type { RegisterCommand } from "./index.js";

export const registerExport: RegisterCommand = (program) => {
  program
    .command("export")
    .description(
      "write a finished run's model as ONNX with its trained weights (imported .onnx models and smallcnn), for onnxruntime or PyTorch",
    )
    .argument("<run>", "a finished run's folder (or its run.json)")
    .option("--onnx <file>", "the .onnx file to write")
    .option("--force", "replace the file if it exists")
    .action((run: string, flags: { onnx?: string; force?: boolean }) => {
      if (flags.onnx === undefined) {
        throw new UserError("export: give --onnx out.onnx, the file to write");
      }
      const result = exportRun(run, flags.onnx, { force: flags.force === true });
      console.log(
        `wrote ${result.out} (${result.bytes} bytes): the model of ${result.runDir} with the weights of ${result.checkpoint}, in inference form`,
      );
    });
};

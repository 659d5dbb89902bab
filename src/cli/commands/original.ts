import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { isUserError, UserError } from "../../errors.js";
import { resolveOriginal, SCRIPT_NAMES, scriptFlags } from "../../original/scripts.js";
import { RUN_JSON } from "../../run-folder/files.js";
import type { RegisterCommand } from "./index.js";
import { train } from "./train.js";

export const registerOriginal: RegisterCommand = (program) => {
  program
    .command("original")
    .description(
      `run one of the original code's command lines, 'python -m' replaced: ${SCRIPT_NAMES.join(", ")} (docs/original.md)`,
    )
    .argument("<script>", "the script as the original names it, e.g. training_script.smallcnn")
    .argument(
      "[flags...]",
      "the script's own flags, e.g. --ckpt_folder ./logs_algo/ --deterministic_tf",
    )
    .allowUnknownOption()
    .helpOption(false)
    .action(async (script: string, flags: string[]) => {
      const help = (arg: string) => arg === "--help" || arg === "-h";
      if (help(script)) {
        console.log(
          `usage: nnr original <script> [its flags]; scripts: ${SCRIPT_NAMES.join(", ")}`,
        );
        return;
      }
      if (flags.some(help) && scriptFlags(script) !== undefined) {
        console.log(`usage: nnr original ${script} ${scriptFlags(script)!.join(" ")}`);
        return;
      }
      const invocation = resolveOriginal(script, flags);
      if (invocation.kind === "delegate") {
        // The CLI entry is loaded on demand: it imports this command.
        const { main } = await import("../main.js");
        for (const argv of invocation.commands) {
          console.log(`nnr ${argv.join(" ")}`);
          const code = await main(["node", "nnr", ...argv]);
          if (code !== 0) {
            process.exitCode = code;
            return;
          }
        }
        return;
      }
      const { config, outDir } = invocation;
      refuseForeignFolder(outDir);
      // One process: the original trained each run on one device.
      const result = await train(outDir, { config, replicate: 0 }, {}, 1).catch(
        (error: unknown) => {
          // The data readers name nnr's flag; this command line spells it the original's way.
          if (isUserError(error) && error.message.includes("--data-dir"))
            throw new UserError(error.message.replaceAll("--data-dir", "--data_dir"));
          throw error;
        },
      );
      if (result !== null) {
        console.log(
          `${result.outDir}: ${result.record.status}, weights sha256 ${result.record.weightsSha256}`,
        );
      }
    });
};

/** A folder that holds a run, nnr's or the original's own (files, no run.json), is never written over. */
function refuseForeignFolder(dir: string): void {
  if (!existsSync(dir)) return;
  if (existsSync(join(dir, RUN_JSON)))
    throw new UserError(
      `${dir} already holds a run; continue it with nnr train --resume ${dir}, or choose another folder`,
    );
  const held = readdirSync(dir).filter((name) =>
    /^(pred\d+\.txt|ckpt\d+\.\w+|log\.csv)$/.test(name),
  );
  if (held.length > 0)
    throw new UserError(
      `${dir} already holds a run's files (${held.slice(0, 3).join(", ")}…); choose another --ckpt_folder`,
    );
}

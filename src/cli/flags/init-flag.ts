/**
 * `nnr train --init file|pytorch|glorot`: where an imported model's initial weights come from
 * (onnx/init-rules.ts). A zoo model refuses it when the config is resolved (imported-model.ts).
 */
import { type Command, Option } from "commander";
import { DEFAULT_INIT_RULE, INIT_RULES, type InitRule } from "../../onnx/init-rules.js";
import { oneOf } from "./parse.js";

export interface InitFlags {
  init?: InitRule;
}

export function addInitFlag(command: Command): void {
  command.addOption(
    new Option(
      "--init <rule>",
      `an .onnx model's initial weights: file (the exported ones), pytorch or glorot (drawn from the init seed by that framework's default rule; default ${DEFAULT_INIT_RULE})`,
    ).argParser(oneOf("--init", INIT_RULES)),
  );
}

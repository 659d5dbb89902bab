/**
 * The original's command lines that nnr runs with another of its commands: the overhead
 * line (`python -m training_script --model_name … --batch_size …`, timed by nvprof) becomes
 * `nnr overhead`, and `run_ae.py --experiments …` becomes `nnr experiment run --preset …`
 * for each experiment. They return the nnr command lines, which `nnr original` prints and runs.
 */
import { UserError } from "../errors.js";
import type { FlagSpec, ParsedFlags } from "./args.js";

export interface DelegatedScript {
  flags: FlagSpec;
  commands(flags: ParsedFlags, script: string): string[][];
}

/** The overhead study's 100 training iterations (REFERENCE.md), one model per command line. */
const OVERHEAD: DelegatedScript = {
  flags: {
    model_name: "text",
    batch_size: "integer",
    data_dir: "text",
    deterministic_tf: "switch",
  },
  commands: (flags, script) => {
    const model = flags.model_name as string | undefined;
    if (model === undefined)
      throw new UserError(`nnr original ${script}: pass --model_name (e.g. resnet50)`);
    // nnr times both modes in one process and writes their ratio, so --deterministic_tf (which
    // chose the mode of one nvprof run) changes nothing; the synthetic batch needs no data.
    return [
      [
        "overhead",
        "--models",
        model,
        "--batch-size",
        String(flags.batch_size ?? 128),
        "--iterations",
        "100",
        "--out",
        `overhead-${model}`,
      ],
    ];
  },
};

/** run_ae.py's experiment names are the figures: Figure1 … Figure6 are nnr's presets. */
const RUN_AE: DelegatedScript = {
  flags: {
    experiments: "list",
    gpus: "list",
    fast: "switch",
    imagenet_data_dir: "text",
    data_dir: "text",
  },
  commands: (flags, script) => {
    const experiments = flags.experiments as string[] | undefined;
    if (experiments === undefined)
      throw new UserError(`nnr original ${script}: pass --experiments (e.g. Figure1 Figure2)`);
    return experiments.map((experiment) => {
      const preset = experiment.toLowerCase();
      if (!/^figure[1-6]$/.test(preset))
        throw new UserError(
          `nnr original ${script}: --experiments ${experiment}: expected Figure1 … Figure6`,
        );
      const argv = [
        "experiment",
        "run",
        "--preset",
        preset,
        "--scale",
        flags.fast ? "fast" : "paper",
      ];
      const gpus = flags.gpus as string[] | undefined;
      if (gpus !== undefined) argv.push("--gpus", gpus.join(","));
      if (flags.data_dir !== undefined) argv.push("--data-dir", flags.data_dir as string);
      if (flags.imagenet_data_dir !== undefined)
        argv.push("--data-dir", `imagenet=${flags.imagenet_data_dir as string}`);
      return argv;
    });
  },
};

export const DELEGATED_SCRIPTS: Record<string, DelegatedScript> = {
  training_script: OVERHEAD,
  "run_ae.py": RUN_AE,
};

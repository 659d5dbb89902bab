/**
 * The start of a run: a new run, or the run already in the folder (resumed, or returned as it
 * stands when complete). Rank 0 decides for every rank of a run spread over processes.
 */
import type { ProcessGroup } from "../distributed/process-group.js";
import { UserError } from "../errors.js";
import type { RunConfig } from "./config.js";
import type { RunRecord } from "./record.js";
import { readRunRecord } from "./run-folder.js";
import { drawSeeds, type RunSeeds } from "./seeds.js";

export interface RunStart {
  /** The folder's run, when it holds one (a resume). */
  previous: RunRecord | null;
  config: RunConfig;
  seeds: RunSeeds;
}

/**
 * What this run trains: the folder's run when resuming (its config and seeds), else the
 * given config with the given seeds (a replay) or fresh ones.
 */
export function decideStart(
  options: { outDir: string; config: RunConfig; resume?: boolean; seeds?: RunSeeds },
  group: ProcessGroup | null,
): RunStart {
  const decide = (): RunStart => {
    const found = readRunRecord(options.outDir);
    if (found !== null && !options.resume) {
      throw new UserError(
        `${options.outDir} already holds a run (${found.status}); pass --resume to continue it, or choose another --out`,
      );
    }
    const config = found?.config ?? options.config;
    const seeds = found?.seeds ?? options.seeds ?? drawSeeds(config);
    return { previous: found, config, seeds };
  };
  return group === null ? decide() : group.share("start", decide);
}

/** Refuses a run whose processes do not match its record: the device, the world size. */
export function checkProcesses(config: RunConfig, outDir: string, group: ProcessGroup | null) {
  if (group !== null && config.device !== "cpu") {
    throw new UserError(
      `device ${config.device}: training over several processes runs on the CPU (Gloo) only`,
    );
  }
  if ((config.worldSize ?? 1) !== (group?.worldSize ?? 1)) {
    throw new UserError(
      `${outDir} was trained over ${config.worldSize ?? 1} process(es) and this run has ${group?.worldSize ?? 1}; resume it with --nproc ${config.worldSize ?? 1}`,
    );
  }
}

/**
 * run.json as training writes it: the contract's record (src/contract/run-record.ts) with the
 * parts train knows in full — the config, the engine, the loaders, the data-parallel layout.
 */
import type { RunRecord as ContractRunRecord } from "../contract/run-record.js";
import type { LoaderRecord } from "../data/loader.js";
import type { DistributedRecord } from "../distributed/data-parallel.js";
import type { EngineInfo } from "../engine/index.js";
import type { RunConfig } from "./config.js";
import type { ReplayOrigin } from "./replay-origin.js";

/** run.json: what a run was, and where it stands; a replay says which run it repeats. */
export type RunRecord = ContractRunRecord<
  RunConfig,
  EngineInfo,
  { train: LoaderRecord; test: LoaderRecord["dataset"] },
  DistributedRecord
> & { replayOf?: ReplayOrigin };

/** The group a pooled run belongs to (the pool itself is part of the run-folder format). */
import { type RunPool, referenceConfig } from "../run-folder/pool.js";
import { groupName, type RunConfig } from "./config.js";

/** The group a run belongs to: its own, or its pool's. */
export function runGroupName(config: RunConfig, pool: RunPool | null | undefined): string {
  return pool ? groupName(referenceConfig(config, pool), pool.name) : groupName(config);
}

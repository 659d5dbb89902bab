/**
 * `nnr train --replay RUN --CHANGE...`: a replay with changes. Each config flag says in its
 * row (config-flags.ts) whether a replay may take it and what it changes; those it may are
 * applied to the recorded config, and the rest are refused in one line naming the flag. A
 * change that leaves the config as recorded is no change.
 */
import { NOISE_SOURCES, switchFlag } from "../../contract/noise-sources.js";
import { UserError } from "../../errors.js";
import { type RunConfig, runConfigSchema } from "../../train/config.js";
import { resolveRunConfig } from "../../train/recipes.js";
import { configChanges, type FieldChange } from "../../train/replay-origin.js";
import type { ReplayChangeKinds } from "../../train/replay-verdict.js";
import { CONFIG_FLAGS, type ConfigFlag, longName } from "./config-flags.js";
import { refuseFlagsBeside, refuseInapplicableFlags } from "./inapplicable-flags.js";
import { flagsRequest, type TrainFlags } from "./train-request.js";

export interface ReplayedConfig {
  config: RunConfig;
  /** By field path, from the recorded value to the replay's. */
  changed: Record<string, FieldChange>;
  /** The flags that changed something, by what they change. */
  kinds: ReplayChangeKinds;
}

/** The config flags given beside --replay; a refused one, or any other flag, is an error. */
export function replayChangeFlags(given: readonly string[]): ConfigFlag[] {
  const rows: ConfigFlag[] = [];
  for (const flag of given) {
    const row = CONFIG_FLAGS.find((candidate) => longName(candidate) === flag);
    if (row === undefined) continue;
    if (typeof row.replay === "object") {
      throw new UserError(
        `${flag}: ${row.replay.refused}; drop it, or train a new run without --replay`,
      );
    }
    rows.push(row);
  }
  const changeFlags = rows.map(longName);
  refuseFlagsBeside(
    "--replay",
    given.filter((flag) => !changeFlags.includes(flag)),
  );
  return rows;
}

/**
 * The recorded config (`base`: as the replay runs it unchanged) with the flags' changes, and
 * what changed from `recorded`, the config run.json holds.
 */
export function replayedConfig(
  base: RunConfig,
  recorded: RunConfig,
  flags: TrainFlags,
  rows: readonly ConfigFlag[],
): ReplayedConfig {
  const none = { training: [], tooling: [], record: [] };
  if (rows.length === 0) return { config: base, changed: {}, kinds: none };
  const full = runConfigSchema.safeParse(base);
  if (!full.success) {
    const issue = full.error.issues[0]!;
    throw new UserError(
      `--replay: the recorded config cannot take changes (${issue.path.join(".")}: ${issue.message}); replay it without them`,
    );
  }
  const { setting: _setting, syncBatchNorm, ...rest } = full.data;
  const request = flagsRequest(flags);
  const switched = NOISE_SOURCES.filter((row) =>
    rows.some((r) => longName(r) === switchFlag(row.name)),
  );
  const config = resolveRunConfig({
    ...rest,
    ...request,
    ...(syncBatchNorm ? { syncBatchNorm } : {}),
    optimizer: { ...full.data.optimizer, ...request.optimizer },
    deterministic: {
      ...full.data.deterministic,
      ...Object.fromEntries(switched.map((row) => [row.name, true])),
    },
  });
  refuseInapplicableFlags(flags, config);
  const moved = configChanges(full.data, config);
  const changed = Object.fromEntries(
    Object.entries(moved).map(([path, change]) => [
      path,
      { from: valueAt(recorded, path) ?? null, to: change.to },
    ]),
  );
  return { config, changed, kinds: kindsOf(rows, Object.keys(moved)) };
}

/** The flags that changed a field, grouped by what they change. */
function kindsOf(rows: readonly ConfigFlag[], paths: readonly string[]): ReplayChangeKinds {
  const kinds: ReplayChangeKinds = { training: [], tooling: [], record: [] };
  for (const row of rows) {
    const moves = row.fields.some((field) =>
      paths.some((path) => path === field || path.startsWith(`${field}.`)),
    );
    if (moves && typeof row.replay === "string") kinds[row.replay].push(longName(row));
  }
  return kinds;
}

function valueAt(config: object, path: string): unknown {
  let value: unknown = config;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

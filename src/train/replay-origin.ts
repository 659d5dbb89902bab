/**
 * What a replay records of the run it repeats (run.json's `replayOf`): the run as it was named,
 * its final weights hash and config hash, and each config field the replay changed, from the
 * recorded value to the replay's. A replay without changes records `changed: {}`.
 */
import { createHash } from "node:crypto";
import type { RunConfig } from "./config.js";
import type { RunRecord } from "./record.js";

export interface FieldChange {
  from: unknown;
  to: unknown;
}

export interface ReplayOrigin {
  /** The run.json or run folder the replay was given, as given. */
  run: string;
  /** The recorded run's final weights hash; null when it has none (not complete). */
  weightsSha256: string | null;
  /** SHA-256 of the recorded config, its keys sorted: which config was repeated. */
  configSha256: string;
  /** By field path ("optimizer.lr"), what the replay changed. */
  changed: Record<string, FieldChange>;
}

export function replayOrigin(
  run: string,
  recorded: Pick<RunRecord, "config" | "weightsSha256">,
  changed: Record<string, FieldChange>,
): ReplayOrigin {
  return {
    run,
    weightsSha256: recorded.weightsSha256 ?? null,
    configSha256: configSha256(recorded.config),
    changed,
  };
}

/** The hash of a config, independent of the order its keys were written in. */
export function configSha256(config: RunConfig): string {
  return createHash("sha256").update(sortedJson(config)).digest("hex");
}

function sortedJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(sortedJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${sortedJson(field)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/**
 * The fields whose values differ between two configs, by path: nested objects field by field
 * (`optimizer.lr`, `deterministic.impl`), lists and other values whole. `from` is the first
 * config's value (absent: undefined), `to` the second's.
 */
export function configChanges(before: object, after: object): Record<string, FieldChange> {
  const changes: Record<string, FieldChange> = {};
  const walk = (a: unknown, b: unknown, path: string) => {
    if (isObject(a) && isObject(b)) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
        walk(a[key], b[key], path === "" ? key : `${path}.${key}`);
      }
    } else if (sortedJson(a) !== sortedJson(b)) {
      changes[path] = { from: a ?? null, to: b ?? null };
    }
  };
  walk(before, after, "");
  return changes;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

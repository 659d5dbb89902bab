import type { TaskKind } from "../../contract/task.js";
import type { RunContext } from "./run-context.js";

export type { TaskKind };
export type Layout = "nnr" | "original";

/** What identifies a group of replicates: everything about a run except its replicate. */
export interface GroupDescriptor {
  model: string;
  dataset: string;
  /** Canonical: "algo+impl" (the original's "default"), "algo", "impl", "control". */
  setting: string;
  batchNorm: boolean;
  /** Key of the runs that differ only in setting: the settings compared with each other. */
  familyKey: string;
  /** Key of the group itself. */
  groupKey: string;
  /** Human-readable name of the group. */
  label: string;
  /**
   * The group's config less the determinism flags its setting implies (our layout only): what
   * tells groups with one name apart, and finds the groups that differ in one field.
   */
  config?: Record<string, unknown>;
}

/** A pool member's place in its pool. */
export interface PoolMembership {
  /** As run.json names it, e.g. "impl threads=2 memoryFormat=channels_last". */
  variant: string;
  /** The run's value (canonical JSON) of each field the pool varies, e.g. threads: "2". */
  fields: Record<string, string>;
  /** The pool's reference value (canonical JSON) of each field it varies. */
  reference: Record<string, string>;
  /** Seconds the run took to train (run.json's `seconds`), for the cost of a change. */
  seconds: number | undefined;
}

/** A run folder as found on disk, before any prediction is read. */
export interface RunFolder {
  dir: string;
  layout: Layout;
  descriptor: GroupDescriptor;
  replicate: string;
  /** For a pool's member (e.g. the tooling study): what sets it apart from the others. */
  membership: PoolMembership | undefined;
  status: string;
  kind: TaskKind | undefined;
  classes: number | undefined;
  classNames: string[] | undefined;
  testExamples: number | undefined;
  /**
   * epoch -> file path, the epoch as the folder's own files number it: epochs completed for
   * nnr's folders (pred10.txt after the 10th), Keras's 0-based index for the original's
   * (pred9.txt after the 10th). The final epoch is the largest number either way.
   */
  predictionFiles: Map<number, string>;
  checkpointFiles: Map<number, string>;
  labelsFile: string | undefined;
  logFile: string | undefined;
  /**
   * The file epoch minus log.csv's epoch for the same moment: 0 where both use one numbering
   * (the original's layout, nnr-run/2), 1 for nnr-run/1 (0-based log beside 1-based files).
   */
  logEpochShift: number;
  /** How the folder numbers epochs: 0 = Keras's index (the original), 1 = epochs completed. */
  epochBase: 0 | 1;
  /** SHA-256 of the final weights, and the epoch they belong to. */
  finalWeightsSha256: string | undefined;
  finalEpoch: number | undefined;
  /** Digest of the data files the run read (run-folder/data-identity.ts); absent: unknown. */
  dataIdentity?: string;
  /** What the run ran on, as far as its record says (nothing for the original's layout). */
  context: Partial<Record<keyof RunContext, string>>;
}

/** Something wrong with the input, reported to the user instead of silently skipped. */
export interface Problem {
  path: string;
  message: string;
  /** "excluded": the run was left out of its group; "warning": a metric was skipped. */
  effect: "excluded" | "warning";
}

const SETTING_ALIASES: Record<string, string> = {
  default: "algo+impl",
  algoimpl: "algo+impl",
  "algo+impl": "algo+impl",
  algo_impl: "algo+impl",
  algo: "algo",
  impl: "impl",
  control: "control",
};

export function canonicalSetting(setting: string): string {
  return SETTING_ALIASES[setting.toLowerCase()] ?? setting.toLowerCase();
}

/** The order settings are shown in: most noise first. */
export const SETTING_ORDER = ["algo+impl", "algo", "impl", "control"];

export function settingRank(setting: string): number {
  const rank = SETTING_ORDER.indexOf(setting);
  return rank === -1 ? SETTING_ORDER.length : rank;
}

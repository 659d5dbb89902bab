/**
 * Whether a replay reproduced the run it repeats: the one question a replay answers. Same
 * weights hash: reproduced, bit for bit. Another hash: not reproduced, with the recorded facts
 * that differ between the two runs (libtorch, the CPU kernels, the CPU), the usual causes.
 * A replay with changes says, besides, whether its hash was expected to be the recorded one:
 * a change of what is trained should give another, a change of what is only recorded the same,
 * and a change of tooling the same exactly where the tooling moves no bits (the question it
 * asks).
 */
import type { RunRecord } from "./record.js";

export interface ReplayVerdict {
  /** null where there is nothing to compare: either run has no final weights hash. */
  reproduced: boolean | null;
  line: string;
}

type EngineFacts = { libtorch?: unknown; cpuModel?: unknown; cpu?: { atenCapability?: unknown } };

/** The recorded facts, by name, that a replay's weights most often depend on. */
function engineFacts(record: RunRecord): Record<string, unknown> {
  const engine = (record as { engine?: EngineFacts }).engine ?? {};
  return {
    libtorch: engine.libtorch,
    "CPU kernels": engine.cpu?.atenCapability,
    CPU: engine.cpuModel,
  };
}

function factsThatDiffer(recorded: RunRecord, replayed: RunRecord): string[] {
  const [before, after] = [engineFacts(recorded), engineFacts(replayed)];
  return Object.keys(before)
    .filter((name) => before[name] !== after[name])
    .map((name) => `${name} ${String(before[name] ?? "not recorded")} → ${String(after[name])}`);
}

/** A replay's changes, by the flags that made them, and what each kind leads one to expect. */
export interface ReplayChangeKinds {
  /** Flags that change what is trained (another hash expected). */
  training: string[];
  /** Flags that change the tooling (the same hash where it moves no bits). */
  tooling: string[];
  /** Flags that change only what is recorded or where data is read (the same hash expected). */
  record: string[];
}

export function replayVerdict(
  recorded: RunRecord,
  replayed: RunRecord | null,
  changes?: ReplayChangeKinds,
): ReplayVerdict {
  // A change of what is trained or of the tooling explains another hash by itself.
  const changed = changes !== undefined && changes.training.length + changes.tooling.length > 0;
  const verdict = plainVerdict(recorded, replayed, changed);
  if (changes === undefined || verdict.reproduced === null) return verdict;
  const expectation = expectationOf(changes, verdict.reproduced);
  return expectation === null ? verdict : { ...verdict, line: `${verdict.line}; ${expectation}` };
}

const TOOLING_EXPECTATION = "a change of tooling keeps the hash exactly where it moves no bits";

/** What the changes led one to expect of the hash, and whether the replay met it. */
function expectationOf(changes: ReplayChangeKinds, reproduced: boolean): string | null {
  const named = (flags: string[]) => flags.join(", ");
  if (changes.training.length > 0) {
    return reproduced
      ? `unexpected: ${named(changes.training)} changes what is trained, so another hash was expected`
      : `as expected: ${named(changes.training)} changes what is trained`;
  }
  if (changes.tooling.length > 0) {
    return reproduced
      ? `${named(changes.tooling)} changes no bits here (${TOOLING_EXPECTATION})`
      : `${named(changes.tooling)} changes the bits here (${TOOLING_EXPECTATION})`;
  }
  if (changes.record.length > 0) {
    return reproduced
      ? `as expected: ${named(changes.record)} changes no arithmetic`
      : `unexpected: ${named(changes.record)} changes no arithmetic, so the recorded hash was expected`;
  }
  return null;
}

/** `changed`: the replay changed what moves bits, so the engine's sameness explains nothing. */
function plainVerdict(
  recorded: RunRecord,
  replayed: RunRecord | null,
  changed: boolean,
): ReplayVerdict {
  if (replayed?.status !== "complete" || replayed.weightsSha256 === undefined) {
    return { reproduced: null, line: "replay: the replay did not complete; nothing to compare" };
  }
  if (recorded.weightsSha256 === undefined) {
    return {
      reproduced: null,
      line: `replay: the recorded run has no final weights hash (status ${recorded.status}); nothing to compare`,
    };
  }
  if (replayed.weightsSha256 === recorded.weightsSha256) {
    return {
      reproduced: true,
      line: `replay: reproduced: weights sha256 ${replayed.weightsSha256} is the recorded run's`,
    };
  }
  const differ = factsThatDiffer(recorded, replayed);
  return {
    reproduced: false,
    line:
      `replay: not reproduced: weights sha256 ${replayed.weightsSha256}, recorded ${recorded.weightsSha256}` +
      (differ.length > 0
        ? `; what differs: ${differ.join(", ")}`
        : changed
          ? ""
          : "; libtorch, CPU kernels and CPU are the recorded ones (nondeterministic kernels, or another build)"),
  };
}

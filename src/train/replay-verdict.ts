/**
 * Whether a replay reproduced the run it repeats: the one question a replay answers. Same
 * weights hash: reproduced, bit for bit. Another hash: not reproduced, with the recorded facts
 * that differ between the two runs (libtorch, the CPU kernels, the CPU), the usual causes.
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

export function replayVerdict(recorded: RunRecord, replayed: RunRecord | null): ReplayVerdict {
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
        : "; libtorch, CPU kernels and CPU are the recorded ones (nondeterministic kernels, or another build)"),
  };
}

/** Sentences the hypotheses and the report share. */
import type { GroupResult } from "../results/result-types.js";

export const fmtRuns = (group: GroupResult) =>
  `${group.runs.length} run${group.runs.length === 1 ? "" : "s"}`;

/**
 * Why IMPL shows nothing, when the hardware is the reason: on CPU at a fixed thread count
 * libtorch's kernels are deterministic, so IMPL runs are Control runs by construction.
 */
export function implSilence(group: GroupResult): string | null {
  if (group.setting !== "impl" || group.identicalRuns === null) return null;
  const { device, threads } = group.context;
  if (device === "cpu" && threads !== null && !threads.includes("/")) {
    return `IMPL is silent here by construction: on CPU at a fixed thread count (${threads}) libtorch's kernels are deterministic, so IMPL runs are Control runs; implementation noise needs a GPU or a change of tooling (threads, memory layout: the tooling study).`;
  }
  return "IMPL's runs are identical on this setup, so it shows no implementation noise here.";
}

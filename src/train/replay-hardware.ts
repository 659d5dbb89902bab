/**
 * A replay runs on the kernels the run ran on, where this machine has them: the CPU's vector
 * ISA changes the bits (engine/cpu-kernels.ts), so a run made on AVX2 kernels replays on AVX2
 * kernels on an AVX-512 machine too. Where the recorded kernels cannot run here, or the record
 * predates the field, the replay goes on with this machine's and says so in one line.
 */
import {
  type CpuCapabilityChoice,
  runnableCapabilities,
  vectorExtensions,
} from "../engine/cpu-kernels.js";
import type { RunRecord } from "./record.js";

export function replayCpuCapability(
  record: Pick<RunRecord, "config" | "engine">,
  warn: (line: string) => void,
  extensions: readonly string[] = vectorExtensions(),
): CpuCapabilityChoice {
  const runnable = runnableCapabilities(extensions);
  const best = runnable.at(-1)!;
  const asked = record.config.cpuCapability ?? "auto";
  const ran = asked !== "auto" ? asked : record.engine?.cpu?.atenCapability;
  if (ran === undefined || ran === "unknown") {
    warn(
      `the run does not record which CPU kernels it ran; replaying on this machine's (${best}): the bits differ if those were other`,
    );
    return "auto";
  }
  if (!runnable.includes(ran)) {
    warn(
      `the run ran ${ran} kernels, which this CPU cannot run; replaying on ${best}: expect other bits`,
    );
    return "auto";
  }
  return ran;
}

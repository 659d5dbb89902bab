/**
 * A replay runs on the kernels the run ran on, where this machine has them: the CPU's vector
 * ISA changes the bits (engine/cpu-kernels.ts), so a run made on AVX2 kernels replays on AVX2
 * kernels on an AVX-512 machine too. Where the recorded kernels cannot run here, or the record
 * predates the field, the replay goes on with this machine's and says so in one line.
 *
 * A run on `auto` replays on `auto` where this CPU has the run's vector extensions: ATen's
 * choice and oneDNN's best follow from them, so both are the run's again. Pinning the ISA
 * ATen chose would cap oneDNN there too (ONEDNN_MAX_CPU_ISA), which the run did not: on an
 * AVX-512 CPU where ATen picks AVX2, that changes the bits of channels_last convolutions and
 * leaves bf16 convolutions without a kernel. On another CPU the recorded ATen ISA is pinned.
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
  const recorded = record.engine?.cpu;
  if (
    asked === "auto" &&
    recorded !== undefined &&
    sameExtensions(recorded.vectorExtensions, extensions)
  )
    return "auto";
  const ran = asked !== "auto" ? asked : recorded?.atenCapability;
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

function sameExtensions(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((name) => b.includes(name));
}

/**
 * Which vector ISA libtorch's CPU kernels use. ATen compiles each kernel several times
 * (scalar, AVX2, AVX-512) and picks one per process from the CPU, or from ATEN_CPU_CAPABILITY;
 * oneDNN (channels_last convolutions) caps its own choice at ONEDNN_MAX_CPU_ISA. The same run
 * on AVX2 and AVX-512 kernels ends with other bits, so a run records which ran, and
 * `cpuCapability` pins it: both variables are set before the addon loads, in the process that
 * trains, and checked against what ATen reports once it has loaded.
 *
 * Choices: `auto` (the machine's best, or what the environment already says), `default`
 * (ATen's scalar kernels: ATEN_CPU_CAPABILITY=default, oneDNN capped at SSE4.1, available on
 * any x86-64 CPU), `avx2`, `avx512`.
 */
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { UserError } from "../errors.js";
import { native, nativeLoaded } from "./native.js";

export const CPU_CAPABILITIES = ["auto", "default", "avx2", "avx512"] as const;
export type CpuCapabilityChoice = (typeof CPU_CAPABILITIES)[number];
/** A capability ATen can run: what `auto` resolves to. */
export type CpuCapability = Exclude<CpuCapabilityChoice, "auto">;

/** What a run records of the CPU's kernels (its model is engine.cpuModel, beside this). */
export interface CpuKernels {
  /** The CPU's vector extensions that matter to libtorch's kernels, from /proc/cpuinfo. */
  vectorExtensions: string[];
  /** The ISA ATen's kernels dispatched to in this process. */
  atenCapability: CpuCapability | "unknown";
  /** ONEDNN_MAX_CPU_ISA as the process had it (null: oneDNN takes the CPU's best). */
  onednnMaxIsa: string | null;
}

const ONEDNN_CAP: Record<CpuCapability, string> = {
  default: "SSE41",
  avx2: "AVX2",
  avx512: "AVX512_CORE",
};

const TRACKED_EXTENSIONS = [
  "sse4_2",
  "avx",
  "avx2",
  "fma",
  "f16c",
  "avx512f",
  "avx512dq",
  "avx512bw",
  "avx512vl",
  "avx512_vnni",
  "avx512_bf16",
  "amx_bf16",
  "amx_tile",
];

/** The vector extensions a /proc/cpuinfo text lists on its (first) flags line. */
export function parseVectorExtensions(cpuinfo: string): string[] {
  const flags = new Set(
    cpuinfo
      .match(/^flags\s*:(.*)$/m)?.[1]
      ?.trim()
      .split(/\s+/) ?? [],
  );
  return TRACKED_EXTENSIONS.filter((name) => flags.has(name));
}

let cachedExtensions: string[] | undefined;

/** This CPU's vector extensions, read once (empty where /proc/cpuinfo cannot be read). */
export function vectorExtensions(): string[] {
  if (cachedExtensions === undefined) {
    let text = "";
    try {
      text = readFileSync("/proc/cpuinfo", "utf8");
    } catch {
      // Not Linux, or no /proc: no extension is known, and only "default" is runnable.
    }
    cachedExtensions = parseVectorExtensions(text);
  }
  return cachedExtensions;
}

/** The capabilities this CPU can run, best last (ATen's own test: AVX-512 needs VL and BW). */
export function runnableCapabilities(extensions: readonly string[]): CpuCapability[] {
  const has = (name: string) => extensions.includes(name);
  const runnable: CpuCapability[] = ["default"];
  if (has("avx2") && has("fma")) runnable.push("avx2");
  if (has("avx512f") && has("avx512vl") && has("avx512bw") && has("fma")) runnable.push("avx512");
  return runnable;
}

/** ATen's "CPU capability usage" line, in this module's names. */
export function parseAtenCapability(buildConfig: string): CpuCapability | "unknown" {
  const usage = buildConfig
    .match(/CPU capability usage: (.*)/)?.[1]
    ?.trim()
    .toUpperCase();
  if (usage === undefined) return "unknown";
  if (usage === "NO AVX" || usage === "DEFAULT") return "default";
  if (usage === "AVX2") return "avx2";
  if (usage === "AVX512") return "avx512";
  return "unknown";
}

function cpuDescription(): string {
  return cpus()[0]?.model ?? "this CPU";
}

/**
 * Sets the environment that pins `choice`, before the addon loads. Where the addon has
 * already loaded, the kernels in use must be the ones asked for. A capability this CPU cannot
 * run is refused (ATen would take AVX-512 on trust and die on the first illegal instruction).
 */
export function pinCpuCapability(choice: CpuCapabilityChoice, flag = "--cpu-capability"): void {
  if (choice === "auto") return;
  const runnable = runnableCapabilities(vectorExtensions());
  if (!runnable.includes(choice)) {
    throw new UserError(
      `${flag} ${choice}: ${cpuDescription()} cannot run ${choice} kernels; choose one of ${runnable.join(", ")} or auto`,
    );
  }
  if (!nativeLoaded()) {
    process.env.ATEN_CPU_CAPABILITY = choice;
    process.env.ONEDNN_MAX_CPU_ISA = ONEDNN_CAP[choice];
    return;
  }
  const inUse = atenCapabilityInUse();
  if (inUse !== choice) {
    throw new UserError(
      `${flag} ${choice}: this process already runs ${inUse} kernels (the ISA is fixed when libtorch loads); start a new process`,
    );
  }
}

/** The ISA ATen's kernels use in this process (loads the addon). */
export function atenCapabilityInUse(): CpuCapability | "unknown" {
  return parseAtenCapability(native.buildConfig());
}

/** What a run records of its CPU and kernels (loads the addon). */
export function cpuKernels(): CpuKernels {
  return {
    vectorExtensions: vectorExtensions(),
    atenCapability: atenCapabilityInUse(),
    onednnMaxIsa: process.env.ONEDNN_MAX_CPU_ISA || null,
  };
}

/** oneDNN ISA caps below AVX-512 (ONEDNN_MAX_CPU_ISA's names). */
const BELOW_AVX512 = new Set(["SSE41", "AVX", "AVX2", "AVX2_VNNI", "AVX2_VNNI_2"]);

/**
 * Why this process cannot run bf16 convolutions on the CPU, or null when it can. On a CPU with
 * AVX-512 BW, VL and DQ, ATen sends bf16 convolutions to oneDNN; capped below AVX-512
 * (ONEDNN_MAX_CPU_ISA, as `--cpu-capability avx2` or `default` set it) oneDNN has no kernel
 * for them, and PyTorch itself fails there with "could not create a primitive descriptor".
 */
export function bf16ConvolutionBlocked(
  extensions: readonly string[] = vectorExtensions(),
  onednnMaxIsa: string | undefined = process.env.ONEDNN_MAX_CPU_ISA,
): string | null {
  const cap = onednnMaxIsa?.trim().toUpperCase();
  if (cap === undefined || !BELOW_AVX512.has(cap)) return null;
  if (!["avx512bw", "avx512vl", "avx512dq"].every((name) => extensions.includes(name))) return null;
  return `libtorch sends bf16 convolutions on ${cpuDescription()} to oneDNN, which ONEDNN_MAX_CPU_ISA=${onednnMaxIsa} leaves without a kernel for them; train bf16 on --cpu-capability auto or avx512, or fp32 on ${cap.toLowerCase()}`;
}

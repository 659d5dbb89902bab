/** What the engine is and runs on: every run records this, since tooling changes the bits. */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import type { AllocatorSetting } from "./allocator.js";
import { type CpuKernels, cpuKernels } from "./cpu-kernels.js";
import { type DeterminismState, determinismState } from "./determinism.js";
import { allocatorSetting, libtorchRecordPath, native } from "./native.js";

export interface EngineInfo extends DeterminismState {
  libtorch: string;
  /** Where the addon found libtorch at build time: LIBTORCH, python or system. */
  libtorchSource: string;
  libtorchPath: string;
  cudaBuild: boolean;
  cudaAvailable: boolean;
  cudaDeviceCount: number;
  cudaRuntimeVersion: number;
  cudnnAvailable: boolean;
  cudnnVersion: number;
  gpuNames: string[];
  mkldnn: boolean;
  parallelBackend: string;
  interopThreads: number;
  /** glibc's thresholds for CPU tensors' memory: speed, not bits (allocator.ts). */
  allocator: AllocatorSetting;
  cpuModel: string;
  /** The CPU's vector extensions and the ISA the kernels ran (cpu-kernels.ts). */
  cpu: CpuKernels;
  cpuCount: number;
  node: string;
  platform: string;
}

function buildRecord(): { source: string; libDir: string; cuda: boolean } {
  if (!existsSync(libtorchRecordPath)) return { source: "unknown", libDir: "unknown", cuda: false };
  return JSON.parse(readFileSync(libtorchRecordPath, "utf8"));
}

function gpuNames(count: number): string[] {
  if (count === 0) return [];
  try {
    const out = execFileSync("nvidia-smi", ["--query-gpu=name", "--format=csv,noheader"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    return out.trim().split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

let cachedStatic: Omit<EngineInfo, keyof DeterminismState> | undefined;

export function engineInfo(): EngineInfo {
  if (cachedStatic === undefined) {
    const info = native.engineInfo();
    const record = buildRecord();
    cachedStatic = {
      libtorch: info.libtorch,
      libtorchSource: record.source,
      libtorchPath: record.libDir,
      cudaBuild: record.cuda,
      cudaAvailable: info.cudaAvailable,
      cudaDeviceCount: info.cudaDeviceCount,
      cudaRuntimeVersion: info.cudaRuntimeVersion,
      cudnnAvailable: info.cudnnAvailable,
      cudnnVersion: info.cudnnVersion,
      gpuNames: gpuNames(info.cudaDeviceCount),
      mkldnn: info.mkldnn,
      parallelBackend:
        info.parallelInfo.match(/ATen parallel backend: (.*)/)?.[1]?.trim() ?? "unknown",
      interopThreads: info.interopThreads,
      allocator: allocatorSetting(),
      cpuModel: cpus()[0]?.model ?? "unknown",
      cpu: cpuKernels(),
      cpuCount: cpus().length,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
    };
  }
  return { ...cachedStatic, ...determinismState() };
}

/** Live tensor handles (created and not yet disposed or collected), for leak checks. */
export function liveTensors(): number {
  return native.liveTensors();
}

/**
 * The tooling knobs under study, set in one place: deterministic algorithms, cuDNN
 * deterministic and benchmark (autotuning), TF32, the intra-op thread count, and cuBLAS's
 * workspace config. On CPU, libtorch at a fixed thread count is already bit-identical run to
 * run, while 1 and 2 threads give different bits; on GPU the kernels themselves differ.
 */
import { native } from "./native.js";

/** cuBLAS is deterministic across streams only with this workspace config, read at its start. */
export const DETERMINISTIC_CUBLAS_WORKSPACE = ":4096:8";

export interface DeterminismOptions {
  /** Deterministic kernels (impl noise off). */
  deterministic: boolean;
  /** Intra-op threads; fixed for every run, since the thread count changes the bits. */
  threads: number;
  /** cuDNN autotuning; off by default (PyTorch's default), never on when deterministic. */
  cudnnBenchmark?: boolean;
  /** TF32 matmuls/convolutions on Ampere and later GPUs. */
  allowTF32?: boolean;
}

export interface DeterminismState {
  deterministicAlgorithms: boolean;
  cudnnDeterministic: boolean;
  cudnnBenchmark: boolean;
  allowTF32Cudnn: boolean;
  allowTF32Cublas: boolean;
  threads: number;
  cublasWorkspaceConfig: string | null;
}

/**
 * Applies the settings and returns what is now in force. Call it before any CUDA work: the
 * cuBLAS workspace config is read when cuBLAS starts.
 */
export function configureDeterminism(options: DeterminismOptions): DeterminismState {
  if (!Number.isInteger(options.threads) || options.threads < 1) {
    throw new RangeError(`threads must be a positive integer, got ${options.threads}`);
  }
  if (options.deterministic && options.cudnnBenchmark) {
    throw new RangeError("cuDNN benchmark (autotuning) cannot be on with deterministic kernels");
  }
  if (options.deterministic && process.env.CUBLAS_WORKSPACE_CONFIG === undefined) {
    process.env.CUBLAS_WORKSPACE_CONFIG = DETERMINISTIC_CUBLAS_WORKSPACE;
  }
  native.setDeterministicAlgorithms(options.deterministic, false);
  native.setCudnnDeterministic(options.deterministic);
  native.setCudnnBenchmark(options.cudnnBenchmark ?? false);
  if (options.allowTF32 !== undefined) native.setAllowTF32(options.allowTF32);
  native.setNumThreads(options.threads);
  return determinismState();
}

/**
 * Deterministic algorithms alone, CUBLAS_WORKSPACE_CONFIG left as it is: the CUDA checks'
 * probe of what libtorch does in deterministic mode without it.
 */
export function setDeterministicAlgorithms(on: boolean): void {
  native.setDeterministicAlgorithms(on, false);
}

export function setThreads(threads: number): void {
  native.setNumThreads(threads);
}

export function determinismState(): DeterminismState {
  const info = native.engineInfo();
  return {
    deterministicAlgorithms: info.deterministicAlgorithms,
    cudnnDeterministic: info.cudnnDeterministic,
    cudnnBenchmark: info.cudnnBenchmark,
    allowTF32Cudnn: info.allowTF32Cudnn,
    allowTF32Cublas: info.allowTF32Cublas,
    threads: info.threads,
    cublasWorkspaceConfig: process.env.CUBLAS_WORKSPACE_CONFIG ?? null,
  };
}

/** Waits for queued CUDA work (for timing); a no-op without CUDA. */
export function synchronize(): void {
  native.cudaSynchronize();
}

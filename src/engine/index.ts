/** nnr's tensor engine: libtorch compute behind TypeScript tensors with scoped memory. */

export {
  type AutocastDevice,
  type AutocastDtype,
  autocast,
  isAutocastEnabled,
} from "./autocast.js";
export { enableGrad, isGradEnabled, noGrad } from "./autograd.js";
export {
  atenCapabilityInUse,
  CPU_CAPABILITIES,
  type CpuCapability,
  type CpuCapabilityChoice,
  type CpuKernels,
  cpuKernels,
  pinCpuCapability,
  runnableCapabilities,
  vectorExtensions,
} from "./cpu-kernels.js";
export {
  arange,
  type CreateOptions,
  empty,
  full,
  ones,
  onesLike,
  scalar,
  tensor,
  zeros,
  zerosLike,
} from "./creation.js";
export {
  CudaTimer,
  cudaTimingAvailable,
  cudaUnavailableReason,
  isPinned,
  pinMemory,
  toDevicePinned,
} from "./cuda.js";
export {
  configureDeterminism,
  DETERMINISTIC_CUBLAS_WORKSPACE,
  type DeterminismOptions,
  type DeterminismState,
  determinismState,
  setThreads,
  synchronize,
} from "./determinism.js";
export { type DType, dtypeBytes, isFloatingDtype, type TypedArray } from "./dtype.js";
export * as F from "./functional.js";
export { type FusedAdamEntry, fusedAdamStep } from "./fused-optim.js";
export { Generator, normal_, rand, randint, randn, randperm, uniform_ } from "./generator.js";
export * as G from "./graph-ops.js";
export { type EngineInfo, engineInfo, liveTensors } from "./info.js";
export { cat, stack, where } from "./join.js";
export type { MemoryFormat, Reduction } from "./native.js";
export { keep, Scope, scopeDepth, type TensorContainer, tidy } from "./scope.js";
export { Tensor } from "./tensor.js";

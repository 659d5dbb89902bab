/**
 * Typed declarations of the native addon (native/src), and its loader. The TS side never
 * guesses what the native side takes: each function here matches one export in native/src.
 */
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { UserError } from "../errors.js";
import { type AllocatorSetting, configureAllocator } from "./allocator.js";

declare const handleBrand: unique symbol;
/** A number naming a libtorch tensor in the addon's handle table (slot and generation). */
export type TensorHandle = number & { readonly [handleBrand]: "tensor" };
declare const generatorBrand: unique symbol;
export type GeneratorHandle = { readonly [generatorBrand]: "generator" };
declare const processGroupBrand: unique symbol;
/** A c10d process group (TCPStore + Gloo), native/src/distributed.cc. */
export type ProcessGroupHandle = { readonly [processGroupBrand]: "process-group" };

export type DTypeName =
  | "float32"
  | "float64"
  | "float16"
  | "bfloat16"
  | "int64"
  | "int32"
  | "uint8"
  | "bool";
export type MemoryFormat = "contiguous" | "channels_last" | "preserve";
export type Reduction = "mean" | "sum" | "none";
type H = TensorHandle;
type Dims = number[] | null;

export interface NativeEngineInfo {
  libtorch: string;
  cxx11Abi: boolean;
  cudaAvailable: boolean;
  cudaDeviceCount: number;
  cudnnAvailable: boolean;
  cudaRuntimeVersion: number;
  cudnnVersion: number;
  mkldnn: boolean;
  threads: number;
  interopThreads: number;
  parallelInfo: string;
  deterministicAlgorithms: boolean;
  deterministicWarnOnly: boolean;
  cudnnDeterministic: boolean;
  cudnnBenchmark: boolean;
  allowTF32Cudnn: boolean;
  allowTF32Cublas: boolean;
}

export interface NativeAddon {
  // creation.cc
  fromTypedArray(data: ArrayBufferView, shape: number[], dtype: DTypeName): H;
  toArrayBuffer(t: H): ArrayBuffer;
  item(t: H): number | boolean;
  shape(t: H): number[];
  strides(t: H): number[];
  dtype(t: H): DTypeName;
  device(t: H): string;
  zeros(shape: number[], dtype: DTypeName | null, device: string | null): H;
  ones(shape: number[], dtype: DTypeName | null, device: string | null): H;
  full(shape: number[], value: number, dtype: DTypeName | null, device: string | null): H;
  empty(shape: number[], dtype: DTypeName | null, device: string | null): H;
  arange(
    start: number,
    end: number,
    step: number,
    dtype: DTypeName | null,
    device: string | null,
  ): H;
  dispose(t: H): boolean;
  isDisposed(t: H): boolean;
  liveTensors(): number;
  // pointwise.cc
  add(a: H, b: H): H;
  addScalar(a: H, b: number): H;
  sub(a: H, b: H): H;
  subScalar(a: H, b: number): H;
  mul(a: H, b: H): H;
  mulScalar(a: H, b: number): H;
  div(a: H, b: H): H;
  divScalar(a: H, b: number): H;
  pow(a: H, b: H): H;
  powScalar(a: H, b: number): H;
  remainder(a: H, b: H): H;
  remainderScalar(a: H, b: number): H;
  eq(a: H, b: H): H;
  eqScalar(a: H, b: number): H;
  ne(a: H, b: H): H;
  neScalar(a: H, b: number): H;
  lt(a: H, b: H): H;
  ltScalar(a: H, b: number): H;
  le(a: H, b: H): H;
  leScalar(a: H, b: number): H;
  gt(a: H, b: H): H;
  gtScalar(a: H, b: number): H;
  ge(a: H, b: H): H;
  geScalar(a: H, b: number): H;
  maximum(a: H, b: H): H;
  minimum(a: H, b: H): H;
  logicalAnd(a: H, b: H): H;
  logicalOr(a: H, b: H): H;
  neg(a: H): H;
  abs(a: H): H;
  exp(a: H): H;
  log(a: H): H;
  log1p(a: H): H;
  sqrt(a: H): H;
  rsqrt(a: H): H;
  square(a: H): H;
  reciprocal(a: H): H;
  sign(a: H): H;
  floor(a: H): H;
  ceil(a: H): H;
  round(a: H): H;
  tanh(a: H): H;
  logicalNot(a: H): H;
  isNan(a: H): H;
  isFinite(a: H): H;
  clamp(a: H, min: number | null, max: number | null): H;
  where(condition: H, a: H, b: H): H;
  equal(a: H, b: H): boolean;
  add_(self: H, other: H, alpha: number | null): void;
  addScalar_(self: H, other: number, alpha: number | null): void;
  sub_(self: H, other: H, alpha: number | null): void;
  subScalar_(self: H, other: number, alpha: number | null): void;
  mul_(self: H, other: H): void;
  mulScalar_(self: H, other: number): void;
  div_(self: H, other: H): void;
  divScalar_(self: H, other: number): void;
  addcmul_(self: H, t1: H, t2: H, value: number): void;
  addcdiv_(self: H, t1: H, t2: H, value: number): void;
  lerp_(self: H, end: H, weight: number): void;
  maximum_(self: H, other: H): void;
  sqrt_(self: H): void;
  clamp_(self: H, min: number | null, max: number | null): void;
  copy_(self: H, source: H): void;
  zero_(self: H): void;
  fill_(self: H, value: number): void;
  // reduction.cc
  sum(t: H, dims: Dims, keepdim: boolean): H;
  mean(t: H, dims: Dims, keepdim: boolean): H;
  var(t: H, dims: Dims, unbiased: boolean, keepdim: boolean): H;
  std(t: H, dims: Dims, unbiased: boolean, keepdim: boolean): H;
  amax(t: H, dims: Dims, keepdim: boolean): H;
  amin(t: H, dims: Dims, keepdim: boolean): H;
  maxDim(t: H, dim: number, keepdim: boolean): [H, H];
  minDim(t: H, dim: number, keepdim: boolean): [H, H];
  argmax(t: H, dim: number | null, keepdim: boolean): H;
  argmin(t: H, dim: number | null, keepdim: boolean): H;
  all(t: H, dim: number | null, keepdim: boolean): H;
  any(t: H, dim: number | null, keepdim: boolean): H;
  logsumexp(t: H, dims: number[], keepdim: boolean): H;
  // shape.cc
  reshape(t: H, shape: number[]): H;
  view(t: H, shape: number[]): H;
  permute(t: H, dims: number[]): H;
  expand(t: H, shape: number[]): H;
  flip(t: H, dims: number[]): H;
  transpose(t: H, dim0: number, dim1: number): H;
  flatten(t: H, startDim: number, endDim: number): H;
  squeeze(t: H, dim: number | null): H;
  unsqueeze(t: H, dim: number): H;
  cat(tensors: H[], dim: number): H;
  stack(tensors: H[], dim: number): H;
  slice(t: H, dim: number, start: number, end: number, step: number): H;
  narrow(t: H, dim: number, start: number, length: number): H;
  indexSelect(t: H, dim: number, index: H): H;
  gather(t: H, dim: number, index: H): H;
  maskedFill(t: H, mask: H, value: number): H;
  pad(t: H, pads: number[], mode: "constant" | "reflect" | "replicate", value: number | null): H;
  to(t: H, dtype: DTypeName | null, device: string | null): H;
  contiguous(t: H, format: MemoryFormat | null): H;
  isContiguous(t: H, format: MemoryFormat | null): boolean;
  clone(t: H, format: MemoryFormat | null): H;
  detach(t: H): H;
  alias(t: H): H;
  // neural.cc
  conv2d(
    input: H,
    weight: H,
    bias: H | null,
    stride: number[],
    padding: number[] | "same" | "valid",
    dilation: number[],
    groups: number,
  ): H;
  /** relu(maxPool2d(input, 2)) in one pass each way where the input is float32 on the CPU. */
  reluMaxPool2x2(input: H): H;
  maxPool2d(
    input: H,
    kernel: number[],
    stride: number[],
    padding: number[],
    dilation: number[],
    ceilMode: boolean,
  ): H;
  avgPool2d(
    input: H,
    kernel: number[],
    stride: number[],
    padding: number[],
    ceilMode: boolean,
    countIncludePad: boolean,
  ): H;
  adaptiveAvgPool2d(input: H, outputSize: number[]): H;
  batchNorm(
    input: H,
    weight: H | null,
    bias: H | null,
    runningMean: H | null,
    runningVar: H | null,
    training: boolean,
    momentum: number,
    eps: number,
  ): H;
  linear(input: H, weight: H, bias: H | null): H;
  matmul(a: H, b: H): H;
  relu(t: H): H;
  sigmoid(t: H): H;
  silu(t: H): H;
  hardtanh(t: H, min: number, max: number): H;
  leakyRelu(t: H, negativeSlope: number): H;
  softmax(t: H, dim: number): H;
  logSoftmax(t: H, dim: number): H;
  oneHot(indices: H, classes: number): H;
  crossEntropy(
    input: H,
    target: H,
    weight: H | null,
    reduction: Reduction,
    labelSmoothing: number,
  ): H;
  nllLoss(input: H, target: H, weight: H | null, reduction: Reduction): H;
  binaryCrossEntropyWithLogits(
    input: H,
    target: H,
    weight: H | null,
    posWeight: H | null,
    reduction: Reduction,
  ): H;
  mseLoss(input: H, target: H, reduction: Reduction): H;
  // graph-ops.cc
  convolution(
    input: H,
    weight: H,
    bias: H | null,
    stride: number[],
    padding: number[],
    dilation: number[],
    groups: number,
  ): H;
  maxPoolNd(
    input: H,
    kernel: number[],
    stride: number[],
    padding: number[],
    dilation: number[],
    ceilMode: boolean,
  ): H;
  avgPoolNd(
    input: H,
    kernel: number[],
    stride: number[],
    padding: number[],
    ceilMode: boolean,
    countIncludePad: boolean,
  ): H;
  layerNorm(input: H, normalizedShape: number[], weight: H | null, bias: H | null, eps: number): H;
  gelu(input: H, approximate: "none" | "tanh"): H;
  erf(input: H): H;
  // autograd.cc
  setRequiresGrad(t: H, requiresGrad: boolean): void;
  requiresGrad(t: H): boolean;
  isLeaf(t: H): boolean;
  backward(t: H, gradient: H | null, retainGraph: boolean): void;
  grad(t: H): H | null;
  setGrad(t: H, gradient: H | null): void;
  gradEnabled(): boolean;
  setGradEnabled(enabled: boolean): void;
  // random.cc
  newGenerator(seed: number): GeneratorHandle;
  generatorSeed(g: GeneratorHandle): number;
  generatorState(g: GeneratorHandle): ArrayBuffer;
  setGeneratorState(g: GeneratorHandle, state: Uint8Array): void;
  rand(shape: number[], g: GeneratorHandle, dtype: DTypeName | null, device: string | null): H;
  randn(shape: number[], g: GeneratorHandle, dtype: DTypeName | null, device: string | null): H;
  randint(
    low: number,
    high: number,
    shape: number[],
    g: GeneratorHandle,
    dtype: DTypeName | null,
    device: string | null,
  ): H;
  randperm(n: number, g: GeneratorHandle, dtype: DTypeName | null, device: string | null): H;
  uniform_(t: H, low: number, high: number, g: GeneratorHandle): void;
  normal_(t: H, mean: number, std: number, g: GeneratorHandle): void;
  dropout(t: H, p: number, g: GeneratorHandle, training: boolean): H;
  // engine.cc
  setDeterministicAlgorithms(enabled: boolean, warnOnly: boolean): void;
  setCudnnDeterministic(enabled: boolean): void;
  setCudnnBenchmark(enabled: boolean): void;
  setAllowTF32(allow: boolean): void;
  setNumThreads(threads: number): void;
  cudaSynchronize(): void;
  engineInfo(): NativeEngineInfo;
  /** libtorch's build summary (at::show_config()), with the CPU capability in use. */
  buildConfig(): string;
  // autocast.cc
  /** Turns autocast on for the calling thread; returns whether it was on already. */
  autocastEnter(deviceType: "cpu" | "cuda", dtype: "bfloat16" | "float16"): boolean;
  autocastExit(deviceType: "cpu" | "cuda", previous: boolean): void;
  autocastEnabled(deviceType: "cpu" | "cuda"): boolean;
  // distributed.cc
  processGroupInit(
    masterAddr: string,
    masterPort: number,
    rank: number,
    worldSize: number,
    timeoutMs: number,
    device: string,
  ): ProcessGroupHandle;
  processGroupAllreduceMean(g: ProcessGroupHandle, tensors: H[], bucketSizes: number[]): void;
  processGroupAllreduceSum(g: ProcessGroupHandle, tensors: H[]): void;
  processGroupBroadcast(g: ProcessGroupHandle, tensors: H[], root: number): void;
  processGroupBarrier(g: ProcessGroupHandle): void;
  processGroupStoreSet(g: ProcessGroupHandle, key: string, value: string): void;
  processGroupStoreGet(g: ProcessGroupHandle, key: string): string;
  processGroupDestroy(g: ProcessGroupHandle): void;
  // sync-batchnorm.cc
  /** BatchNorm in training over the group's global batch; differentiable across the ranks. */
  syncBatchNorm(
    g: ProcessGroupHandle,
    input: H,
    weight: H | null,
    bias: H | null,
    runningMean: H | null,
    runningVar: H | null,
    momentum: number,
    eps: number,
  ): H;
  // allocator.cc
  /** Sets glibc's mmap and trim thresholds; false where the C library is not glibc. */
  tuneAllocator(mmapThreshold: number, trimThreshold: number): boolean;
  // optim.cc
  /** Adam's update of every listed parameter in one call; see src/engine/fused-optim.ts. */
  adamStep(
    params: H[],
    grads: H[],
    expAvgs: H[],
    expAvgSqs: H[],
    stepSizes: number[],
    biasCorrection2Sqrts: number[],
    beta1: number,
    beta2: number,
    eps: number,
    weightDecay: number,
  ): void;
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
/**
 * Where the build puts the addon (NNR_NATIVE_ADDON names another file, e.g. a build for
 * another libtorch) and the record of the libtorch it was built against.
 */
export const addonPath =
  process.env.NNR_NATIVE_ADDON || join(root, "build", "Release", "nnr_native.node");
export const libtorchRecordPath = join(root, "build", "libtorch.json");

let loaded: { addon: NativeAddon; allocator: AllocatorSetting } | null = null;

function load(): { addon: NativeAddon; allocator: AllocatorSetting } {
  if (loaded !== null) return loaded;
  if (!existsSync(addonPath)) {
    throw new UserError(
      `the native engine is not built (${addonPath} is missing): run 'npm run setup' to build it`,
    );
  }
  const addon = createRequire(import.meta.url)(addonPath) as NativeAddon;
  // The allocator is set before the first tensor exists, so that every run sees one setting.
  loaded = { addon, allocator: configureAllocator(addon) };
  Object.assign(native, addon);
  return loaded;
}

/**
 * The addon, loaded at its first use rather than at import, so that commands which only read
 * run folders (analyze, report, experiment status, --help) work where it is not built. The
 * object's prototype loads the addon when a function is first looked up and then copies every
 * export onto the object itself: later calls find them as own properties, with no extra cost.
 */
export const native: NativeAddon = Object.create(
  new Proxy(
    {},
    {
      get: (_target, key) => (key === "then" ? undefined : Reflect.get(load().addon, key)),
    },
  ),
) as NativeAddon;

/** Whether the addon has been loaded in this process (tests and diagnostics). */
export const nativeLoaded = (): boolean => loaded !== null;

/** The C allocator's setting, chosen once as the addon loads (see allocator.ts). */
export const allocatorSetting = (): AllocatorSetting => load().allocator;

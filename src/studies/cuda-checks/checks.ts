/**
 * The engine's CUDA checks, a GPU self-test: the determinism switches do what they say on a
 * GPU. Run by test/studies/cuda-checks.test.ts (skipped without CUDA) and, where there is no vitest (the GPU
 * machine carries only the runtime), by `node scripts/cuda-checks.mjs`. Every comparison is
 * between results computed here, in this process, never against stored numbers.
 */
import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  CudaTimer,
  cudaUnavailableReason,
  isPinned,
  pinMemory,
  toDevicePinned,
} from "../../engine/cuda.js";
import {
  configureDeterminism,
  determinismState,
  setDeterministicAlgorithms,
  synchronize,
} from "../../engine/determinism.js";
import * as F from "../../engine/functional.js";
import { Generator, randn } from "../../engine/generator.js";
import { tidy } from "../../engine/scope.js";
import type { Tensor } from "../../engine/tensor.js";

export interface CudaCheck {
  name: string;
  ok: boolean;
  /** What was seen, in one line. */
  detail: string;
}

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
/** The probe that runs in a child process, where CUBLAS_WORKSPACE_CONFIG can be unset. */
export const CUBLAS_PROBE = join(root, "scripts", "cuda-checks.mjs");

const bytesOf = (t: Tensor): Buffer => Buffer.from(t.to({ device: "cpu" }).dataSync().buffer);
const sameBits = (tensors: Buffer[]): boolean => tensors.every((b) => b.equals(tensors[0]!));
const firstLine = (error: unknown): string =>
  (error instanceof Error ? error.message : String(error)).split("\n")[0]!;

/** A conv layer's forward and backward; returns the output and the weight's gradient bytes. */
function convStep(device: string, seed: number): { output: Buffer; weightGrad: Buffer } {
  return tidy(() => {
    const g = new Generator(seed, "check");
    const x = randn([8, 16, 32, 32], g).to({ device });
    const w = randn([32, 16, 3, 3], g).to({ device }).requiresGrad_();
    const y = F.conv2d(x, w, null, { padding: 1 });
    y.square().sum().backward();
    return { output: bytesOf(y), weightGrad: bytesOf(w.grad!) };
  });
}

function check(name: string, body: () => string | { ok: boolean; detail: string }): CudaCheck {
  try {
    const result = body();
    return typeof result === "string" ? { name, ok: true, detail: result } : { name, ...result };
  } catch (error) {
    return { name, ok: false, detail: firstLine(error) };
  }
}

function switches(): string | { ok: boolean; detail: string } {
  const on = configureDeterminism({ deterministic: true, threads: 1, allowTF32: false });
  const off = configureDeterminism({ deterministic: false, threads: 1, cudnnBenchmark: true });
  const tf32 = configureDeterminism({ deterministic: false, threads: 1, allowTF32: true });
  const ok =
    on.deterministicAlgorithms &&
    on.cudnnDeterministic &&
    !on.cudnnBenchmark &&
    on.cublasWorkspaceConfig !== null &&
    !off.deterministicAlgorithms &&
    !off.cudnnDeterministic &&
    off.cudnnBenchmark &&
    tf32.allowTF32Cudnn &&
    tf32.allowTF32Cublas;
  configureDeterminism({ deterministic: false, threads: 1, allowTF32: false });
  return {
    ok,
    detail: `deterministic on: ${JSON.stringify(on)}; benchmark on: cudnnBenchmark=${off.cudnnBenchmark}; TF32 on: ${tf32.allowTF32Cudnn}/${tf32.allowTF32Cublas}`,
  };
}

function deterministicRepeats(device: string): { ok: boolean; detail: string } {
  configureDeterminism({ deterministic: true, threads: 1, allowTF32: false });
  const runs = [0, 1, 2].map(() => convStep(device, 7));
  const ok = sameBits(runs.map((r) => r.output)) && sameBits(runs.map((r) => r.weightGrad));
  return { ok, detail: `3 conv forward+backward repeats ${ok ? "bit-identical" : "DIFFER"}` };
}

function defaultRepeats(device: string): string {
  // Informative: cuDNN's default algorithms may or may not differ run to run at this size.
  configureDeterminism({
    deterministic: false,
    threads: 1,
    cudnnBenchmark: true,
    allowTF32: false,
  });
  const runs = [0, 1, 2, 3, 4].map(() => convStep(device, 7));
  const distinct = new Set(runs.map((r) => r.weightGrad.toString("base64"))).size;
  configureDeterminism({ deterministic: false, threads: 1, allowTF32: false });
  return `cuDNN benchmark on: ${distinct} distinct weight gradient(s) in 5 repeats`;
}

function benchmarkAgrees(device: string): { ok: boolean; detail: string } {
  const values = (b: Buffer) => new Float32Array(b.buffer, b.byteOffset, b.length / 4);
  configureDeterminism({ deterministic: true, threads: 1, allowTF32: false });
  const reference = values(convStep(device, 3).output);
  configureDeterminism({
    deterministic: false,
    threads: 1,
    cudnnBenchmark: true,
    allowTF32: false,
  });
  const tuned = values(convStep(device, 3).output);
  configureDeterminism({ deterministic: false, threads: 1, allowTF32: false });
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < reference.length; i++) {
    worst = Math.max(worst, Math.abs(reference[i]! - tuned[i]!));
    scale = Math.max(scale, Math.abs(reference[i]!));
  }
  // fp32 sums of 144 products in another order: relative error ~1e-6; 1e-4 allows any
  // algorithm cuDNN picks, and still catches a wrong result.
  const relative = worst / scale;
  return {
    ok: relative < 1e-4,
    detail: `benchmark vs deterministic output: max |Δ|/max |y| = ${relative.toExponential(2)}`,
  };
}

/** CUBLAS_WORKSPACE_CONFIG set (as configureDeterminism does): repeated matmuls bit-identical. */
function cublasWithWorkspace(device: string): { ok: boolean; detail: string } {
  configureDeterminism({ deterministic: true, threads: 1, allowTF32: false });
  const runs = [0, 1, 2].map(() =>
    tidy(() => {
      const g = new Generator(11, "check");
      const a = randn([512, 1024], g).to({ device }).requiresGrad_();
      const b = randn([1024, 256], g).to({ device });
      a.matmul(b).square().sum().backward();
      return bytesOf(a.grad!);
    }),
  );
  const ok = sameBits(runs);
  return {
    ok,
    detail: `CUBLAS_WORKSPACE_CONFIG=${process.env.CUBLAS_WORKSPACE_CONFIG}: 3 matmul backward repeats ${ok ? "bit-identical" : "DIFFER"}`,
  };
}

/** Without the variable, libtorch refuses a cuBLAS op in deterministic mode (or no longer does). */
function cublasWithoutWorkspace(device: string): { ok: boolean; detail: string } {
  const env = { ...process.env };
  delete env.CUBLAS_WORKSPACE_CONFIG;
  const child = spawnSync(process.execPath, [CUBLAS_PROBE, "--cublas-probe", device], {
    env,
    encoding: "utf8",
    timeout: 120_000,
  });
  if (child.error !== undefined || child.status !== 0) {
    return {
      ok: false,
      detail: `probe failed: ${child.error?.message ?? child.stderr.trim().split("\n").pop()}`,
    };
  }
  const answer = JSON.parse(child.stdout.trim().split("\n").pop()!) as { error: string | null };
  if (answer.error === null) {
    return {
      ok: true,
      detail: "unset: this libtorch runs cuBLAS in deterministic mode without it",
    };
  }
  const named = answer.error.includes("CUBLAS_WORKSPACE_CONFIG");
  return { ok: named, detail: `unset: refused with '${answer.error.slice(0, 200)}'` };
}

/** Ops without a deterministic CUDA kernel: in deterministic mode, one line naming the op. */
function noDeterministicKernel(device: string): { ok: boolean; detail: string } {
  configureDeterminism({ deterministic: true, threads: 1, allowTF32: false });
  const candidates: [string, (x: Tensor) => Tensor][] = [
    // A 3×3 output: 1×1 would be lowered to a mean, which is deterministic.
    ["adaptive_avg_pool2d", (x) => F.adaptiveAvgPool2d(x, [3, 3])],
    ["reflection_pad2d", (x) => F.pad(x, [2, 2, 2, 2], "reflect")],
  ];
  const seen: string[] = [];
  let named = 0;
  for (const [op, forward] of candidates) {
    try {
      tidy(() => {
        const x = randn([2, 4, 8, 8], new Generator(5, "check")).to({ device }).requiresGrad_();
        forward(x).sum().backward();
        synchronize();
      });
      seen.push(`${op}: backward ran (a deterministic kernel exists now)`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const oneLine = !message.trim().includes("\n") && message.includes(op);
      if (oneLine) named++;
      seen.push(
        `${op}: ${oneLine ? "one-line error naming it" : "error"}: ${firstLine(error).slice(0, 160)}`,
      );
    }
  }
  configureDeterminism({ deterministic: false, threads: 1, allowTF32: false });
  return { ok: named > 0, detail: seen.join("; ") };
}

function cudaEvents(device: string): { ok: boolean; detail: string } {
  const timer = new CudaTimer(device);
  const g = new Generator(1, "check");
  const a = randn([2048, 2048], g).to({ device });
  synchronize();
  const start = performance.now();
  timer.start();
  for (let i = 0; i < 20; i++) tidy(() => a.matmul(a));
  const gpuMs = timer.stop();
  const wallMs = performance.now() - start;
  a.dispose();
  // GPU time lies inside the host's span around it (plus a little clock skew).
  return {
    ok: gpuMs > 0 && gpuMs <= wallMs * 1.05 + 0.5,
    detail: `20 matmuls 2048²: ${gpuMs.toFixed(3)} ms GPU, ${wallMs.toFixed(3)} ms wall`,
  };
}

function pinnedCopies(device: string): { ok: boolean; detail: string } {
  return tidy(() => {
    const host = randn([64, 3, 32, 32], new Generator(2, "check"));
    const pinned = pinMemory(host);
    const viaPinned = bytesOf(toDevicePinned(host, device));
    const plain = bytesOf(host.to({ device }));
    const ok = isPinned(pinned) && !isPinned(host) && viaPinned.equals(plain);
    return {
      ok,
      detail: `pinned: ${isPinned(pinned)}; non-blocking copy ${viaPinned.equals(plain) ? "equals" : "DIFFERS FROM"} a plain copy`,
    };
  });
}

/**
 * Runs every check on `device`; for a CUDA device, throws with the reason where CUDA is absent.
 * On "cpu" the same code runs as a smoke test: the switches, repeats and cuBLAS checks pass
 * there, and the CUDA-only ones fail with the reason.
 */
export function runCudaChecks(device = "cuda"): CudaCheck[] {
  const reason = cudaUnavailableReason();
  if (device.startsWith("cuda") && reason !== null) {
    throw new Error(`CUDA checks need CUDA: ${reason}`);
  }
  const before = determinismState();
  try {
    return [
      check("determinism switches", switches),
      check("deterministic conv repeats", () => deterministicRepeats(device)),
      check("default conv repeats", () => defaultRepeats(device)),
      check("cuDNN benchmark agrees", () => benchmarkAgrees(device)),
      check("cuBLAS with workspace config", () => cublasWithWorkspace(device)),
      check("cuBLAS without workspace config", () => cublasWithoutWorkspace(device)),
      check("op without deterministic kernel", () => noDeterministicKernel(device)),
      check("CUDA event timing", () => cudaEvents(device)),
      check("pinned non-blocking copies", () => pinnedCopies(device)),
    ];
  } finally {
    configureDeterminism({
      deterministic: before.deterministicAlgorithms,
      threads: before.threads,
      cudnnBenchmark: before.cudnnBenchmark,
    });
  }
}

/** In a child process without CUBLAS_WORKSPACE_CONFIG: one matmul in deterministic mode. */
export function cublasProbe(device: string): { error: string | null } {
  setDeterministicAlgorithms(true);
  try {
    tidy(() => {
      const g = new Generator(1, "check");
      randn([64, 64], g)
        .to({ device })
        .matmul(randn([64, 64], g).to({ device }))
        .sum()
        .item();
    });
    return { error: null };
  } catch (error) {
    return { error: firstLine(error) };
  }
}

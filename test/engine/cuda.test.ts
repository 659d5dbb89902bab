/**
 * The engine's CUDA checks (src/studies/cuda-checks/checks.ts), a GPU self-test, where CUDA is available; here, on a
 * CPU-only build, what must hold instead: every CUDA-only feature is refused in one line
 * naming the reason, the overhead study falls back to the wall clock, and the checks' own
 * script says it skipped. The same checks run on a GPU machine through scripts/cuda-checks.mjs.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  CudaTimer,
  cudaTimingAvailable,
  cudaUnavailableReason,
  isPinned,
  pinMemory,
  tensor,
} from "../../src/engine/index.js";
import { runCudaChecks } from "../../src/studies/cuda-checks/checks.js";
import { overheadTimer } from "../../src/studies/overhead/measure.js";

const reason = cudaUnavailableReason();
const script = fileURLToPath(new URL("../../scripts/cuda-checks.mjs", import.meta.url));

describe.skipIf(reason !== null)(`CUDA checks (skipped: ${reason ?? "CUDA present"})`, () => {
  const checks = reason === null ? runCudaChecks("cuda") : [];
  it.each(checks.map((c) => [c.name, c]))("%s", (_name, c) => {
    expect(c.ok, c.detail).toBe(true);
  });
});

describe.skipIf(reason === null)("without CUDA", () => {
  it("refuses pinned memory and CUDA events in one line with the reason", () => {
    const host = tensor(new Float32Array([1, 2, 3]), [3]);
    expect(() => pinMemory(host)).toThrow(
      /^pinned host memory needs CUDA: .*CPU-only build|without native/,
    );
    expect(() => new CudaTimer("cuda")).toThrow(/^CUDA event timing is not available: /);
    for (const message of [reason!]) expect(message).not.toContain("\n");
    expect(isPinned(host)).toBe(false);
    host.dispose();
  });

  it("times the overhead study by the wall clock", () => {
    expect(cudaTimingAvailable("cuda")).toBe(false);
    expect(overheadTimer("cpu")).toBe("wall-clock");
  });

  it("runs the checks' code on the CPU: what the CPU has passes, the CUDA-only checks fail with the reason", () => {
    const checks = new Map(runCudaChecks("cpu").map((c) => [c.name, c]));
    for (const name of [
      "determinism switches",
      "deterministic conv repeats",
      "default conv repeats",
      "cuDNN benchmark agrees",
      "cuBLAS with workspace config",
      "cuBLAS without workspace config",
    ]) {
      expect(checks.get(name)?.ok, `${name}: ${checks.get(name)?.detail}`).toBe(true);
    }
    // The CPU's kernels are deterministic: both backwards run.
    expect(checks.get("op without deterministic kernel")?.detail).toMatch(
      /^adaptive_avg_pool2d: backward ran .*; reflection_pad2d: backward ran/,
    );
    expect(checks.get("CUDA event timing")).toMatchObject({
      ok: false,
      detail: `CUDA event timing is not available: ${reason}`,
    });
    expect(checks.get("pinned non-blocking copies")).toMatchObject({
      ok: false,
      detail: `pinned host memory needs CUDA: ${reason}`,
    });
  });

  it("the checks' script says it skipped, and why, and exits 0", () => {
    const out = execFileSync(process.execPath, [script], { encoding: "utf8" });
    expect(out.trim()).toBe(`cuda checks: skipped: ${reason}`);
  });
});

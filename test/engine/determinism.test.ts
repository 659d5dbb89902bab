/**
 * Same seed + deterministic settings → bit-identical training, twice in one process and in a
 * second process; the determinism controls report what they set. Every comparison is between
 * runs on this machine, never against committed numbers, so it holds exactly on any CPU.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { configureAllocator } from "../../src/engine/allocator.js";
import {
  configureDeterminism,
  DETERMINISTIC_CUBLAS_WORKSPACE,
  engineInfo,
} from "../../src/engine/index.js";
import { trainTinyCnn } from "./tiny-training.js";

const script = fileURLToPath(new URL("./tiny-training.ts", import.meta.url));

describe("determinism controls", () => {
  it("set and report every flag in one place", () => {
    const state = configureDeterminism({ deterministic: true, threads: 2 });
    expect(state).toMatchObject({
      deterministicAlgorithms: true,
      cudnnDeterministic: true,
      cudnnBenchmark: false,
      threads: 2,
    });
    expect(state.cublasWorkspaceConfig).toBe(DETERMINISTIC_CUBLAS_WORKSPACE);
    const loose = configureDeterminism({ deterministic: false, threads: 1, cudnnBenchmark: true });
    expect(loose).toMatchObject({
      deterministicAlgorithms: false,
      cudnnDeterministic: false,
      cudnnBenchmark: true,
      threads: 1,
    });
    expect(() =>
      configureDeterminism({ deterministic: true, threads: 1, cudnnBenchmark: true }),
    ).toThrow(/cannot be on with deterministic/);
    expect(() => configureDeterminism({ deterministic: true, threads: 0 })).toThrow(
      /positive integer/,
    );
  });

  it("engineInfo names the build and the machine", () => {
    const info = engineInfo();
    expect(info.libtorch).toMatch(/^\d+\.\d+\.\d+/);
    expect(["LIBTORCH", "python", "system"]).toContain(info.libtorchSource);
    expect(info.cpuModel.length).toBeGreaterThan(0);
    expect(typeof info.cudaAvailable).toBe("boolean");
    expect(info.threads).toBeGreaterThanOrEqual(1);
  });

  it("the allocator: tuned by default, glibc's own with NNR_ALLOCATOR=system", () => {
    const calls: number[][] = [];
    const glibc = {
      tuneAllocator: (mmap: number, trim: number) => calls.push([mmap, trim]) > 0,
    };
    expect(configureAllocator(glibc, undefined)).toEqual({
      kind: "tuned",
      mmapThreshold: 32 * 1024 * 1024,
      trimThreshold: 1024 * 1024 * 1024,
    });
    expect(calls).toEqual([[32 * 1024 * 1024, 1024 * 1024 * 1024]]);
    expect(configureAllocator(glibc, "system")).toEqual({
      kind: "system",
      reason: "NNR_ALLOCATOR=system",
    });
    expect(calls).toHaveLength(1);
    const other = { tuneAllocator: () => false };
    expect(configureAllocator(other, undefined)).toMatchObject({ kind: "system" });
  });
});

describe("bit-identical training", () => {
  it("twice in one process, and in another process", () => {
    const first = trainTinyCnn(7, 1);
    const second = trainTinyCnn(7, 1);
    expect(second).toBe(first);
    expect(trainTinyCnn(8, 1)).not.toBe(first);
    const child = execFileSync(process.execPath, ["--import", "tsx", script, "7", "1"], {
      encoding: "utf8",
    }).trim();
    expect(child).toBe(first);
  });

  it("with glibc's default allocator thresholds as with the tuned ones", () => {
    expect(engineInfo().allocator.kind).toBe("tuned");
    const system = execFileSync(process.execPath, ["--import", "tsx", script, "7", "1"], {
      encoding: "utf8",
      env: { ...process.env, NNR_ALLOCATOR: "system" },
    }).trim();
    expect(system).toBe(trainTinyCnn(7, 1));
  });
});

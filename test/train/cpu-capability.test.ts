/**
 * --cpu-capability pins the vector ISA of libtorch's CPU kernels, each run records the one it
 * ran, and --replay pins it again. Training runs go through child processes: the ISA is fixed
 * when libtorch loads, once per process.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  bf16ConvolutionBlocked,
  parseAtenCapability,
  parseVectorExtensions,
  runnableCapabilities,
  vectorExtensions,
} from "../../src/engine/cpu-kernels.js";
import { readRunRecord } from "../../src/train/index.js";
import { replayCpuCapability } from "../../src/train/replay-hardware.js";
import { runCliProcess, TINY, tempDir } from "./helpers.js";

const AVX512_CPU = "flags\t\t: fpu sse4_2 avx avx2 fma avx512f avx512dq avx512bw avx512vl\n";
const AVX2_CPU = "flags\t\t: fpu sse4_2 avx avx2 fma f16c\n";

describe("what the CPU can run and what ATen reports", () => {
  it("reads the vector extensions from /proc/cpuinfo's flags", () => {
    expect(parseVectorExtensions(AVX2_CPU)).toEqual(["sse4_2", "avx", "avx2", "fma", "f16c"]);
    expect(parseVectorExtensions("processor : 0\n")).toEqual([]);
  });

  it("allows AVX-512 only with VL and BW, as ATen's own test does", () => {
    expect(runnableCapabilities(parseVectorExtensions(AVX512_CPU))).toEqual([
      "default",
      "avx2",
      "avx512",
    ]);
    expect(runnableCapabilities(parseVectorExtensions(AVX2_CPU))).toEqual(["default", "avx2"]);
    expect(runnableCapabilities(["avx512f", "avx2", "fma"])).toEqual(["default", "avx2"]);
  });

  it("knows where oneDNN's cap leaves bf16 convolutions without a kernel", () => {
    const avx512 = parseVectorExtensions(AVX512_CPU);
    expect(bf16ConvolutionBlocked(avx512, "AVX2")).toMatch(/ONEDNN_MAX_CPU_ISA=AVX2 leaves/);
    expect(bf16ConvolutionBlocked(avx512, "sse41")).not.toBeNull();
    expect(bf16ConvolutionBlocked(avx512, "")).toBeNull(); // unset
    expect(bf16ConvolutionBlocked(avx512, "AVX512_CORE")).toBeNull();
    // Without AVX-512, ATen keeps bf16 convolutions off oneDNN: no cap matters.
    expect(bf16ConvolutionBlocked(parseVectorExtensions(AVX2_CPU), "AVX2")).toBeNull();
  });

  it("parses the build summary's CPU capability line", () => {
    expect(parseAtenCapability("  - CPU capability usage: AVX2\n")).toBe("avx2");
    expect(parseAtenCapability("  - CPU capability usage: AVX512\n")).toBe("avx512");
    expect(parseAtenCapability("  - CPU capability usage: NO AVX\n")).toBe("default");
    expect(parseAtenCapability("no such line")).toBe("unknown");
  });
});

describe("a replay's kernels", () => {
  const config = (cpuCapability?: string) =>
    ({ cpuCapability }) as unknown as Parameters<typeof replayCpuCapability>[0]["config"];
  const engine = (atenCapability?: string) =>
    (atenCapability === undefined ? {} : { cpu: { atenCapability } }) as unknown as Parameters<
      typeof replayCpuCapability
    >[0]["engine"];

  it("are the ones the run ran, where this CPU has them", () => {
    const warnings: string[] = [];
    const warn = (line: string) => warnings.push(line);
    const avx512 = parseVectorExtensions(AVX512_CPU);
    expect(
      replayCpuCapability({ config: config("auto"), engine: engine("avx2") }, warn, avx512),
    ).toBe("avx2");
    expect(
      replayCpuCapability({ config: config("default"), engine: engine("default") }, warn, avx512),
    ).toBe("default");
    expect(warnings).toEqual([]);
  });

  it("are auto again for a run on auto, on a CPU with the run's extensions", () => {
    const warnings: string[] = [];
    const avx512 = parseVectorExtensions(AVX512_CPU);
    const ranOn = (vectorExtensions: string[]) =>
      ({
        cpu: { atenCapability: "avx2", onednnMaxIsa: null, vectorExtensions },
      }) as unknown as Parameters<typeof replayCpuCapability>[0]["engine"];
    const replay = (vectorExtensions: string[], asked = "auto") =>
      replayCpuCapability(
        { config: config(asked), engine: ranOn(vectorExtensions) },
        (line) => warnings.push(line),
        avx512,
      );
    expect(replay([...avx512].reverse())).toBe("auto");
    // Another CPU: ATen's recorded choice is pinned; a pinned run stays pinned.
    expect(replay(parseVectorExtensions(AVX2_CPU))).toBe("avx2");
    expect(replay(avx512, "avx2")).toBe("avx2");
    expect(warnings).toEqual([]);
  });

  it("fall back to this machine's in one line where they cannot be pinned", () => {
    const warnings: string[] = [];
    const warn = (line: string) => warnings.push(line);
    const avx2 = parseVectorExtensions(AVX2_CPU);
    expect(
      replayCpuCapability({ config: config("auto"), engine: engine("avx512") }, warn, avx2),
    ).toBe("auto");
    expect(replayCpuCapability({ config: config(undefined), engine: engine() }, warn, avx2)).toBe(
      "auto",
    );
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/ran avx512 kernels, which this CPU cannot run; replaying on avx2/);
    expect(warnings[1]).toMatch(/does not record which CPU kernels/);
  });
});

const runnable = runnableCapabilities(vectorExtensions());

describe.skipIf(!runnable.includes("avx2"))("training on pinned kernels", () => {
  const root = tempDir("cpu-capability");
  const train = (name: string, ...extra: string[]) => {
    const out = join(root, name);
    const result = runCliProcess([
      "train",
      "--setting",
      "control",
      "--bn",
      ...TINY,
      "--out",
      out,
      ...extra,
    ]);
    expect(result.code, result.stderr).toBe(0);
    return readRunRecord(out)!;
  };

  it("records the ISA, changes the bits with it, and replays on it", () => {
    const scalar = train("scalar", "--cpu-capability", "default");
    // auto: the machine's best, recorded as the ISA ATen chose.
    const vector = train("vector");
    expect(scalar.config.cpuCapability).toBe("default");
    expect(scalar.engine.cpu).toMatchObject({ atenCapability: "default", onednnMaxIsa: "SSE41" });
    expect(vector.config.cpuCapability).toBe("auto");
    // ATen's own choice, which is not always the CPU's best: 1.13 takes AVX2 on some AVX-512 CPUs.
    expect(runnable.slice(1)).toContain(vector.engine.cpu.atenCapability);
    // Left as the environment has it: uncapped, unless the process was started capped.
    expect(vector.engine.cpu.onednnMaxIsa).toBe(process.env.ONEDNN_MAX_CPU_ISA || null);
    // Measured: scalar and AVX2 kernels round differently, so a Control run ends elsewhere.
    expect(scalar.weightsSha256).not.toBe(vector.weightsSha256);

    const replay = runCliProcess([
      "train",
      "--replay",
      join(root, "scalar", "run.json"),
      "--out",
      join(root, "replay"),
    ]);
    expect(replay.code, replay.stderr).toBe(0);
    const replayed = readRunRecord(join(root, "replay"))!;
    expect(replayed.engine.cpu.atenCapability).toBe("default");
    expect(replayed.weightsSha256).toBe(scalar.weightsSha256);

    // A run on auto replays on auto on this CPU: ATen and oneDNN choose as they did.
    const again = runCliProcess([
      "train",
      "--replay",
      join(root, "vector", "run.json"),
      "--out",
      join(root, "replay-vector"),
    ]);
    expect(again.code, again.stderr).toBe(0);
    const pinned = readRunRecord(join(root, "replay-vector"))!;
    expect(pinned.config.cpuCapability).toBe("auto");
    expect(pinned.engine.cpu).toEqual(vector.engine.cpu);
    expect(pinned.weightsSha256).toBe(vector.weightsSha256);
    // Four tiny runs in child processes: seconds alone, minutes on a loaded machine.
  }, 600_000);

  it.skipIf(runnable.includes("avx512"))("refuses AVX-512 on a CPU without it in one line", () => {
    const result = runCliProcess([
      "train",
      ...TINY,
      "--cpu-capability",
      "avx512",
      "--out",
      join(root, "refused"),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/--cpu-capability avx512: .* cannot run avx512 kernels/);
  });
});

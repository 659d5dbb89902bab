import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UserError } from "../../src/errors.js";
import { ensurePlanFile, expandPlan, readPlan } from "../../src/experiment/plan.js";
import { applyOverrides, planFromSource } from "../../src/experiment/plan-source.js";
import { parsePlanSpec, validatePlanSpec } from "../../src/experiment/plan-spec.js";
import { DEMO_RECIPE, DEMO_SIZES, PRESET_NAMES, presetSpec } from "../../src/experiment/presets.js";
import { referenceConfig } from "../../src/run-folder/pool.js";
import { fakeSpec, tempDir } from "./helpers.js";

function errorOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error("expected a UserError");
}

const validGrid = { models: ["smallcnn"], datasets: ["fashion-mnist"] };

describe("plan specs: one clear error per mistake, naming the field", () => {
  it("names an unknown model by its index in the grid", () => {
    const message = errorOf(() =>
      parsePlanSpec(
        JSON.stringify({ replicates: 2, grid: { ...validGrid, models: ["smallcnn", "foo"] } }),
        "plan.json",
      ),
    );
    expect(message).toMatch(
      /^plan\.json: grid\.models\[1\]: unknown model 'foo'; choose one of smallcnn, /,
    );
    expect(message).not.toContain("\n");
  });

  it("rejects zero replicates, naming the field and the value", () => {
    const message = errorOf(() =>
      validatePlanSpec({ replicates: 0, grid: validGrid }, "plan.json"),
    );
    expect(message).toBe("plan.json: replicates: must be a whole number ≥ 1 (got 0)");
  });

  it("reports bad JSON with its line and column", () => {
    const message = errorOf(() => parsePlanSpec('{\n  "replicates": 2,\n  }', "plan.json"));
    expect(message).toMatch(/^plan\.json: not valid JSON at line 3, column \d+: /);
  });

  it("lists every mistake on one line, each with its own field", () => {
    const message = errorOf(() =>
      validatePlanSpec(
        {
          replicates: 0,
          base: { epochs: -1, modle: 3 },
          grid: [
            validGrid,
            { models: ["smallcnn"], datasets: ["cifar11"], settings: ["algo", "algo"] },
          ],
        },
        "p.json",
      ),
    );
    const parts = message.split("; p.json: ");
    expect(message).toMatch(/^p\.json: /);
    expect(message).toContain("base.epochs: ");
    expect(message).toContain("(got -1)");
    expect(message).toContain("base.modle: unknown run-config field 'modle'");
    expect(message).toContain("grid[1].datasets[0]: ");
    expect(message).toContain('(got "cifar11")');
    expect(message).toContain('grid[1].settings[1]: "algo" is listed twice');
    expect(message).toContain("p.json: replicates: must be a whole number ≥ 1 (got 0); ");
    expect(parts.length).toBe(5);
  });

  it("checks option values against the run config and unknown top-level fields", () => {
    const message = errorOf(() =>
      validatePlanSpec(
        { replicates: 1, grid: { ...validGrid, options: { batchNorm: [false, "yes"] } }, extra: 1 },
        "plan.json",
      ),
    );
    expect(message).toContain("plan.json: (top level): unknown field 'extra'");
    const options = errorOf(() =>
      validatePlanSpec(
        { replicates: 1, grid: { ...validGrid, options: { batchNorm: [false, "yes"] } } },
        "plan.json",
      ),
    );
    expect(options).toMatch(/^plan\.json: grid\.options\.batchNorm\[1\]: .*\(got "yes"\)$/);
  });

  it("reports a missing grid and a cross-field conflict with the grid point", () => {
    expect(errorOf(() => validatePlanSpec({ replicates: 1 }, "plan.json"))).toBe(
      "plan.json: grid: missing (give an object or a list of objects)",
    );
    const spec = validatePlanSpec(
      {
        replicates: 1,
        base: { cudnnBenchmark: true },
        grid: { ...validGrid, settings: ["control"] },
      },
      "plan.json",
    );
    expect(errorOf(() => expandPlan(spec, "plan.json"))).toMatch(
      /^plan\.json: grid \(smallcnn × fashion-mnist × control\): --cudnn-benchmark cannot be used/,
    );
  });
});

describe("plan expansion", () => {
  it("crosses models × datasets × settings × options × replicates into resolved configs", () => {
    const spec = validatePlanSpec(
      {
        replicates: 2,
        base: { epochs: 3, optimizer: { lr: 0.001 } },
        grid: {
          ...validGrid,
          settings: ["algo", "control"],
          options: { batchNorm: [false, true] },
        },
      },
      "plan.json",
    );
    const plan = expandPlan(spec, "plan.json");
    expect(plan.runs.map((run) => run.id)).toEqual([
      "smallcnn_fashion-mnist_algo_r0",
      "smallcnn_fashion-mnist_algo_r1",
      "smallcnn_bn_fashion-mnist_algo_r0",
      "smallcnn_bn_fashion-mnist_algo_r1",
      "smallcnn_fashion-mnist_control_r0",
      "smallcnn_fashion-mnist_control_r1",
      "smallcnn_bn_fashion-mnist_control_r0",
      "smallcnn_bn_fashion-mnist_control_r1",
    ]);
    const run = plan.runs[3]!;
    expect(run.group).toBe("smallcnn_bn_fashion-mnist_algo");
    expect(run.replicate).toBe(1);
    expect(run.config.batchNorm).toBe(true);
    expect(run.config.epochs).toBe(3);
    // A partial optimizer merges into the recipe's (Adam) instead of replacing it.
    expect(run.config.optimizer).toMatchObject({ name: "adam", lr: 0.001 });
    expect(run.config.deterministic).toEqual({
      init: false,
      input: false,
      dropout: false,
      impl: true,
    });
  });

  it("names runs by option values the group name does not show", () => {
    const spec = validatePlanSpec(
      {
        replicates: 1,
        grid: { ...validGrid, settings: ["control"], options: { threads: [1, 2] } },
      },
      "plan.json",
    );
    expect(expandPlan(spec, "plan.json").runs.map((run) => run.id)).toEqual([
      "smallcnn_fashion-mnist_control_threads-1_r0",
      "smallcnn_fashion-mnist_control_threads-2_r0",
    ]);
  });

  it("builds every preset at every scale; paper scale has the original's epochs and replicates", () => {
    for (const name of PRESET_NAMES.filter((preset) => preset !== "figure6")) {
      for (const scale of ["fast", "default", "paper"] as const) {
        const plan = expandPlan(presetSpec(name, scale), name);
        expect(plan.runs.length).toBeGreaterThan(0);
      }
    }
    const figure1 = expandPlan(presetSpec("figure1", "paper"), "figure1");
    const count = (prefix: string) => figure1.runs.filter((run) => run.id.startsWith(prefix));
    expect(count("smallcnn_cifar10_").length).toBe(40);
    expect(count("resnet50_imagenet_").length).toBe(20);
    expect(count("resnet50_imagenet_")[0]!.config.epochs).toBe(90);
    expect(count("resnet18_cifar100_")[0]!.config.epochs).toBe(200);
    expect(count("resnet18_cifar100_")[0]!.config.saveEpochs).toEqual([10, 50, 100, 150, 200]);
    const figure2 = expandPlan(presetSpec("figure2", "fast"), "figure2");
    expect(new Set(figure2.runs.map((run) => run.group))).toEqual(
      new Set(
        ["smallcnn", "smallcnn_bn"].flatMap((m) =>
          ["algoimpl", "algo", "impl", "control"].map((s) => `${m}_cifar10_${s}`),
        ),
      ),
    );
    expect(errorOf(() => presetSpec("figure6", "fast"))).toMatch(/^--preset figure6: /);
    expect(errorOf(() => presetSpec("figure9", "fast"))).toMatch(
      /^--preset figure9: unknown preset; choose one of demo, /,
    );
  });

  it("demo preset: 10 + 10 noisy runs, 2 + 2 with fixed seeds, a 4-run tooling panel", () => {
    const plan = expandPlan(
      presetSpec("demo", "fast", {
        cudaDevices: 0,
        cores: 2,
        cpuCapabilities: ["default", "avx2", "avx512"],
      }),
      "demo",
    );
    const size = DEMO_SIZES.fast;
    for (const run of plan.runs) {
      expect(run.config).toMatchObject({
        model: "smallcnn",
        dataset: "fashion-mnist",
        batchNorm: true,
        batchNormMomentum: DEMO_RECIPE.batchNormMomentum,
        schedule: "linear-decay",
        epochs: size.epochs,
        trainExamples: size.trainExamples,
        testExamples: null,
        saveEpochs: [size.epochs],
        device: "cpu",
      });
    }
    const count = (group: string) => plan.runs.filter((run) => run.group === group).length;
    const group = (name: string) => `smallcnn_bn_fashion-mnist_${name}`;
    expect([count(group("algoimpl")), count(group("algo"))]).toEqual([10, 10]);
    expect([count(group("impl")), count(group("control"))]).toEqual([2, 2]);
    // One change at a time from the runs' own tooling; the ISA one step down from the best.
    expect(
      plan.runs.filter((run) => run.pool !== undefined).map((run) => run.pool!.variant),
    ).toEqual([
      "threads=1 memoryFormat=channels_last cpuCapability=auto",
      "threads=2 memoryFormat=channels_last cpuCapability=auto",
      "threads=1 memoryFormat=contiguous cpuCapability=auto",
      "threads=1 memoryFormat=channels_last cpuCapability=avx2",
    ]);
    const avx2Only = expandPlan(
      presetSpec("demo", "fast", {
        cudaDevices: 0,
        cores: 2,
        cpuCapabilities: ["default", "avx2"],
      }),
      "demo",
    );
    expect(avx2Only.runs.filter((run) => run.pool !== undefined)[3]!.config.cpuCapability).toBe(
      "default",
    );
    expect(() => planFromSource({ kind: "preset", name: "demo" }, { threads: 2 })).toThrow(
      /--threads 2: preset demo varies threads itself/,
    );
    const fewer = planFromSource({ kind: "preset", name: "demo" }, { replicates: 2 });
    expect(fewer.runs.filter((run) => run.pool === undefined)).toHaveLength(8);
    const withData = applyOverrides(
      presetSpec("figure1", "fast"),
      { dataDirs: { "*": "/d" } },
      "x",
    );
    expect(Object.keys(withData.dataDirs ?? {}).sort()).toEqual([
      "cifar10",
      "cifar100",
      "imagenet",
    ]);
    expect(expandPlan(withData, "x").runs.every((run) => run.config.dataDir === "/d")).toBe(true);
  });
});

describe("pooled grids: the tooling study", () => {
  it("tooling preset: 12 tooling variants with fixed seeds form one group beside ALGO+IMPL", () => {
    const plan = expandPlan(presetSpec("tooling", "fast"), "tooling");
    const pooled = plan.runs.filter((run) => run.pool !== undefined);
    // Under each setting, the reference and one change at a time of five fields.
    expect(pooled).toHaveLength(12);
    expect(new Set(pooled.map((run) => run.group))).toEqual(
      new Set(["smallcnn_fashion-mnist_tooling"]),
    );
    // Numbered through the pool, so (group, replicate) names one run.
    expect(pooled.map((run) => run.replicate)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(new Set(pooled.map((run) => run.pool!.variant)).size).toBe(12);
    const reference = "threads=1 memoryFormat=channels_last cpuCapability=auto";
    expect(pooled[0]!.pool).toEqual({
      name: "tooling",
      variant: `control ${reference} precision=fp32 worldSize=1`,
      reference: {
        setting: "control",
        deterministic: { init: true, input: true, dropout: true, impl: true },
        threads: 1,
        memoryFormat: "channels_last",
        cpuCapability: "auto",
        precision: "fp32",
        // Absent from a one-process run's config, recorded for the pool as what it means.
        worldSize: 1,
      },
    });
    expect(pooled[0]!.config.worldSize).toBeUndefined();
    // The ISA axis: the machine's best against the next one down (here AVX2 against scalar).
    expect(pooled[3]!.pool!.variant).toBe(
      "control threads=1 memoryFormat=channels_last cpuCapability=default precision=fp32 worldSize=1",
    );
    // The world size: 2 ranks at the reference's one thread each.
    expect(pooled[5]!.pool!.variant).toBe(`control ${reference} precision=fp32 worldSize=2`);
    expect(pooled[5]!.config).toMatchObject({ worldSize: 2, threads: 1 });
    expect(pooled[11]!.pool!.variant).toBe(`impl ${reference} precision=fp32 worldSize=2`);
    const avx512 = expandPlan(
      presetSpec("tooling", "fast", {
        cudaDevices: 0,
        cores: 2,
        cpuCapabilities: ["default", "avx2", "avx512"],
      }),
      "tooling",
    );
    expect(new Set(avx512.runs.map((run) => run.config.cpuCapability))).toEqual(
      new Set(["auto", "avx2"]),
    );
    // Every member fixes both seeds: only the tooling differs between them.
    for (const run of pooled) {
      expect(run.config.deterministic).toMatchObject({ init: true, input: true });
    }
    const configs = pooled.map(({ config }) => {
      const {
        setting,
        deterministic,
        threads,
        memoryFormat,
        cpuCapability,
        precision,
        worldSize,
        ...rest
      } = config;
      return JSON.stringify(rest);
    });
    expect(new Set(configs).size).toBe(1);
    // The ALGO+IMPL runs sit at the pool's reference tooling, so the two are one family.
    const baseline = plan.runs.filter((run) => run.pool === undefined);
    expect(baseline.map((run) => run.group)).toEqual([
      "smallcnn_fashion-mnist_algoimpl",
      "smallcnn_fashion-mnist_algoimpl",
      "smallcnn_fashion-mnist_algoimpl",
    ]);
    for (const member of [pooled[5]!, pooled[11]!]) {
      const {
        setting: _s,
        deterministic: _d,
        ...family
      } = referenceConfig(member.config, member.pool!);
      const { setting: _s2, deterministic: _d2, ...baselineFamily } = baseline[0]!.config;
      expect(family).toEqual(baselineFamily);
    }
  });

  it("leaves the world size out of the tooling panel on one core", () => {
    const plan = expandPlan(
      presetSpec("tooling", "fast", { cudaDevices: 0, cores: 1, cpuCapabilities: ["default"] }),
      "tooling",
    );
    const pooled = plan.runs.filter((run) => run.pool !== undefined);
    expect(pooled).toHaveLength(10);
    expect(pooled.every((run) => run.config.worldSize === undefined)).toBe(true);
    expect(pooled[0]!.pool!.reference).not.toHaveProperty("worldSize");
  });

  it("adds the device to the tooling panel where there is a GPU", () => {
    const plan = expandPlan(
      presetSpec("tooling", "fast", {
        cudaDevices: 1,
        cores: 2,
        cpuCapabilities: ["default", "avx2"],
      }),
      "tooling",
    );
    const pooled = plan.runs.filter((run) => run.pool !== undefined);
    expect(pooled).toHaveLength(14);
    expect(new Set(pooled.map((run) => run.config.device))).toEqual(new Set(["cpu", "cuda"]));
    expect(pooled[0]!.pool!.reference.device).toBe("cpu");
    // CUDA runs are one process: the world size stays at the reference beside them.
    for (const run of pooled.filter((run) => run.config.device === "cuda")) {
      expect(run.config.worldSize).toBeUndefined();
    }
  });

  it("refuses --threads and --device where the plan varies them itself", () => {
    expect(errorOf(() => planFromSource({ kind: "preset", name: "tooling" }, { threads: 2 }))).toBe(
      "--threads 2: preset tooling varies threads itself (grid[0].options.threads); leave --threads out",
    );
    const plan = planFromSource({ kind: "preset", name: "tooling" }, { replicates: 2 });
    // 2 × 6 variants where there are 2 cores for the world size axis, 2 × 5 on one.
    const variants = availableParallelism() >= 2 ? 12 : 10;
    expect(plan.runs.filter((run) => run.pool !== undefined)).toHaveLength(2 * variants);
  });

  it("refuses a pool of runs with random seeds: they would differ in more than the tooling", () => {
    const grid = { ...validGrid, pool: "tooling", settings: ["control", "algo"] };
    expect(errorOf(() => validatePlanSpec({ replicates: 1, grid }, "p.json"))).toBe(
      `p.json: grid.pool: a pool compares runs with every seed fixed, but setting(s) algo draw random seeds; list only "control" and "impl" in settings`,
    );
    expect(
      errorOf(() =>
        validatePlanSpec({ replicates: 1, grid: { ...validGrid, pool: "tooling" } }, "p.json"),
      ),
    ).toMatch(/setting\(s\) algo\+impl, algo draw random seeds/);
  });

  it("refuses a pool named like a setting or written in capitals", () => {
    const grid = { ...validGrid, pool: "control" };
    expect(errorOf(() => validatePlanSpec({ replicates: 1, grid }, "p.json"))).toBe(
      `p.json: grid.pool: must not be a setting's name (got "control")`,
    );
    expect(
      errorOf(() =>
        validatePlanSpec({ replicates: 1, grid: { ...validGrid, pool: "Tooling" } }, "p.json"),
      ),
    ).toMatch(/^p\.json: grid\.pool: use lower-case letters/);
  });
});

describe("plan.json in the experiment folder", () => {
  it("is written once; the same plan is accepted again, a different one refused", () => {
    const dir = tempDir("planfile");
    const plan = expandPlan(validatePlanSpec(fakeSpec(2, 1), "p"), "p");
    expect(ensurePlanFile(dir, plan).created).toBe(true);
    const again = expandPlan(validatePlanSpec(fakeSpec(2, 1), "p"), "p");
    const second = ensurePlanFile(dir, again);
    expect(second.created).toBe(false);
    expect(second.plan.createdAt).toBe(plan.createdAt);
    expect(readPlan(dir).runs).toEqual(plan.runs);
    const other = expandPlan(validatePlanSpec(fakeSpec(3, 1), "p"), "p");
    expect(errorOf(() => ensurePlanFile(dir, other))).toMatch(
      /plan\.json: this folder holds a different plan \('fake', 8 runs\)/,
    );
    expect(existsSync(join(dir, ".plan.json.tmp"))).toBe(false);
  });

  it("refuses a damaged plan.json with its path", () => {
    const dir = tempDir("badplan");
    writeFileSync(join(dir, "plan.json"), '{"format":"nnr-plan/1","runs":[]}');
    expect(errorOf(() => readPlan(dir))).toMatch(/plan\.json: not a plan: /);
    expect(JSON.parse(readFileSync(join(dir, "plan.json"), "utf8")).runs).toEqual([]);
  });
});

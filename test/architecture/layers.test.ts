/**
 * The layer rules of docs/architecture.md: each folder of src/ imports only the layers below
 * it. Reads every import and re-export in src/, type-only ones included (a type import is
 * still a dependency a reader has to follow).
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = resolve(import.meta.dirname, "../../src");

const BASE = ["errors", "version", "io", "random", "run-folder", "contract"];
/** Everything up to training and the studies, which the top layers build on. */
const BELOW_EXPERIMENT = [
  ...BASE,
  "engine",
  "nn",
  "onnx",
  "data",
  "distributed",
  "train",
  "analysis",
];
/** What each layer may import besides itself; keep in step with docs/architecture.md. */
const ALLOWED: Record<string, readonly string[]> = {
  errors: [],
  version: [],
  io: ["errors"],
  random: ["errors"],
  "run-folder": ["errors", "io"],
  contract: ["errors", "io", "run-folder"],
  engine: ["errors"],
  data: ["errors", "io", "random", "contract"],
  nn: ["engine", "io", "random", "errors", "contract"],
  onnx: ["engine", "nn", "io", "errors"],
  distributed: ["engine", "nn", "data", "errors"],
  train: [...BASE, "engine", "nn", "onnx", "data", "distributed"],
  analysis: ["io", "random", "run-folder", "contract", "errors"],
  report: ["analysis", "io", "run-folder", "contract", "errors"],
  studies: [...BELOW_EXPERIMENT, "report"],
  experiment: [...BELOW_EXPERIMENT, "report", "studies"],
  original: [...BELOW_EXPERIMENT, "report", "studies", "experiment"],
  cli: ["*"],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") ? [path] : [];
  });
}

/** The layer of a file under src/: its top folder, or its name for a file at the top. */
function layerOf(path: string): string {
  const [first] = relative(SRC, path).split(sep);
  return (first ?? "").replace(/\.(ts|js)$/, "");
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\b[^;]*?\sfrom\s+"(\.[^"]+)"|import\(\s*"(\.[^"]+)"\s*\)/g;

/** The relative imports of one file: each specifier and the path it resolves to. */
function importsOf(file: string, source: string): { specifier: string; target: string }[] {
  return [...source.matchAll(IMPORT)].map((match) => {
    const specifier = match[1] ?? match[2] ?? "";
    return { specifier, target: resolve(dirname(file), specifier) };
  });
}

/** The imports of one file that break the rules, as readable lines. */
function fileViolations(file: string, source: string): string[] {
  const layer = layerOf(file);
  const allowed = ALLOWED[layer];
  if (allowed === undefined)
    return [`${relative(SRC, file)}: layer '${layer}' is not in the table`];
  if (allowed.includes("*")) return [];
  const found: string[] = [];
  for (const { specifier, target } of importsOf(file, source)) {
    const targetLayer = layerOf(target);
    if (targetLayer !== layer && !allowed.includes(targetLayer)) {
      found.push(`${relative(SRC, file)} imports ${specifier} (${layer} → ${targetLayer})`);
    }
  }
  return found;
}

const ANALYSIS = join(SRC, "analysis");
const ANALYSIS_INDEX = join(ANALYSIS, "index.js");
/**
 * The folders of analysis/ and what each may import besides itself (docs/architecture.md);
 * the files at its top (`analyze.ts`, `as-original.ts`, `index.ts`) run them and may import
 * any. Result types are read by the group analysis and the comparisons, never the reverse.
 */
const ANALYSIS_PARTS: Record<string, readonly string[]> = {
  metrics: [],
  statistics: ["metrics"],
  runs: [],
  results: ["metrics", "statistics", "runs"],
  group: ["metrics", "statistics", "runs", "results"],
  compare: ["metrics", "statistics", "runs", "results"],
};

/** The folder of analysis/ a path is in, or "top" for a file at analysis/'s top. */
function analysisPartOf(path: string): string {
  const parts = relative(ANALYSIS, path).split(sep);
  return parts.length === 1 ? "top" : (parts[0] ?? "");
}

/** Imports into analysis/ from outside it that pass by its index, as readable lines. */
function analysisEntryViolations(file: string, source: string): string[] {
  if (layerOf(file) === "analysis") return [];
  return importsOf(file, source)
    .filter(({ target }) => layerOf(target) === "analysis" && target !== ANALYSIS_INDEX)
    .map(({ specifier }) => `${relative(SRC, file)} imports ${specifier}, not analysis/index.js`);
}

/** Imports between analysis/'s folders that break ANALYSIS_PARTS, as readable lines. */
function analysisPartViolations(file: string, source: string): string[] {
  if (layerOf(file) !== "analysis") return [];
  const part = analysisPartOf(file);
  const allowed = ANALYSIS_PARTS[part];
  if (part === "top") return [];
  if (allowed === undefined)
    return [`${relative(SRC, file)}: analysis folder '${part}' is not in the table`];
  return importsOf(file, source)
    .filter(({ target }) => layerOf(target) === "analysis")
    .map(({ specifier, target }) => ({ specifier, targetPart: analysisPartOf(target) }))
    .filter(({ targetPart }) => targetPart !== part && !allowed.includes(targetPart))
    .map(({ specifier, targetPart }) => {
      return `${relative(SRC, file)} imports ${specifier} (${part} → ${targetPart})`;
    });
}

describe("layers", () => {
  it("every import in src/ goes to the importing layer itself or a layer below it", () => {
    const found = sourceFiles(SRC).flatMap((file) =>
      fileViolations(file, readFileSync(file, "utf8")),
    );
    expect(found).toEqual([]);
  });

  it("catches an upward import, a type-only one and a dynamic one", () => {
    const file = join(SRC, "analysis/runs/example.ts");
    const source = [
      'import { z } from "zod";',
      'import type { RunConfig } from "../../train/config.js";',
      'import { stats } from "../stats.js";',
      'export { Tensor } from "../../engine/tensor.js";',
      'const zoo = await import("../../nn/models/index.js");',
    ].join("\n");
    expect(fileViolations(file, source)).toEqual([
      "analysis/runs/example.ts imports ../../train/config.js (analysis → train)",
      "analysis/runs/example.ts imports ../../engine/tensor.js (analysis → engine)",
      "analysis/runs/example.ts imports ../../nn/models/index.js (analysis → nn)",
    ]);
  });

  it("keeps the contract below every stage: it may not import data, nn, train or analysis", () => {
    const file = join(SRC, "contract/example.ts");
    const source = [
      'import { UserError } from "../errors.js";',
      'import { RUN_JSON } from "../run-folder/files.js";',
      'import { PIPELINES } from "../data/registry.js";',
      'import type { Model } from "../nn/models/model.js";',
      'import type { RunConfig } from "../train/config.js";',
      'import { settingLabel } from "../analysis/index.js";',
    ].join("\n");
    expect(fileViolations(file, source)).toEqual([
      "contract/example.ts imports ../data/registry.js (contract → data)",
      "contract/example.ts imports ../nn/models/model.js (contract → nn)",
      "contract/example.ts imports ../train/config.js (contract → train)",
      "contract/example.ts imports ../analysis/index.js (contract → analysis)",
    ]);
  });
  it("the layers above reach the analysis through its index only", () => {
    const found = sourceFiles(SRC).flatMap((file) =>
      analysisEntryViolations(file, readFileSync(file, "utf8")),
    );
    expect(found).toEqual([]);
  });

  it("catches an import past the analysis's index", () => {
    const file = join(SRC, "report/example.ts");
    const source = [
      'import type { AnalysisResult } from "../analysis/index.js";',
      'import { mean } from "../analysis/statistics/stats.js";',
    ].join("\n");
    expect(analysisEntryViolations(file, source)).toEqual([
      "report/example.ts imports ../analysis/statistics/stats.js, not analysis/index.js",
    ]);
  });

  it("each folder of analysis/ imports only the folders below it", () => {
    const found = sourceFiles(ANALYSIS).flatMap((file) =>
      analysisPartViolations(file, readFileSync(file, "utf8")),
    );
    expect(found).toEqual([]);
  });

  it("catches an upward import between analysis/'s folders", () => {
    const file = join(ANALYSIS, "statistics/example.ts");
    const source = [
      'import type { PairMatrix } from "../metrics/pairwise.js";',
      'import type { GroupResult } from "../results/result-types.js";',
      'import { analyzeExperiment } from "../analyze.js";',
    ].join("\n");
    expect(analysisPartViolations(file, source)).toEqual([
      "analysis/statistics/example.ts imports ../results/result-types.js (statistics → results)",
      "analysis/statistics/example.ts imports ../analyze.js (statistics → top)",
    ]);
  });
});

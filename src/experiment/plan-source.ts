/**
 * Where a plan comes from: a preset at a scale, or a spec file, with the command line's
 * overrides (replicates, threads, device, data folders) applied before expansion, so
 * plan.json records exactly what will run.
 */
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { engineInfo, runnableCapabilities, vectorExtensions } from "../engine/index.js";
import { UserError } from "../errors.js";
import { expandPlan, type Plan } from "./plan.js";
import { gridPath, gridsOf, type PlanSpec, parsePlanSpec, validatePlanSpec } from "./plan-spec.js";
import { defaultScale, presetSpec, type Scale } from "./presets.js";

export interface PlanOverrides {
  replicates?: number;
  threads?: number;
  device?: string;
  /** Data folder per dataset; the key "*" applies to every dataset of the plan. */
  dataDirs?: Record<string, string>;
  /** Every grid's one model, e.g. the user's .onnx file in the tooling preset. */
  model?: string;
  /** Run-config fields for every run, by their plan path ("optimizer.lr"): a model's recipe. */
  base?: Record<string, unknown>;
}

export type PlanSource =
  | { kind: "preset"; name: string; scale?: Scale }
  | { kind: "file"; path: string };

function datasetsOf(spec: PlanSpec): string[] {
  return [...new Set(gridsOf(spec).flatMap((grid) => grid.datasets))];
}

/** Sets `optimizer.lr` in a plan's base, keeping the object's other fields. */
function setPath(base: Record<string, unknown>, path: string, value: unknown): void {
  const [head, ...rest] = path.split(".");
  if (rest.length === 0) {
    base[head!] = value;
    return;
  }
  const inner = { ...(base[head!] as Record<string, unknown> | undefined) };
  setPath(inner, rest.join("."), value);
  base[head!] = inner;
}

/** Applies the overrides; the result is validated again, naming the flag at fault. */
export function applyOverrides(spec: PlanSpec, overrides: PlanOverrides, source: string): PlanSpec {
  const json = structuredClone(spec) as PlanSpec;
  const grids = gridsOf(json);
  if (overrides.replicates !== undefined) {
    json.replicates = overrides.replicates;
    for (const grid of grids) delete grid.replicates;
  }
  for (const [flag, field] of [
    ["--threads", "threads"],
    ["--device", "device"],
  ] as const) {
    if (overrides[field] === undefined) continue;
    // A plan that varies the field itself (the tooling study) would be half overridden.
    const index = grids.findIndex((grid) => grid.options?.[field] !== undefined);
    if (index !== -1) {
      const where = gridPath(json, index);
      throw new UserError(
        `${flag} ${overrides[field]}: ${source} varies ${field} itself (${where}.options.${field}); leave ${flag} out`,
      );
    }
  }
  const base: Record<string, unknown> = { ...json.base };
  if (overrides.threads !== undefined) base.threads = overrides.threads;
  if (overrides.device !== undefined) base.device = overrides.device;
  for (const [path, value] of Object.entries(overrides.base ?? {})) setPath(base, path, value);
  json.base = base;
  if (overrides.model !== undefined) for (const grid of grids) grid.models = [overrides.model];
  if (overrides.dataDirs !== undefined) {
    const dataDirs: Record<string, string> = { ...json.dataDirs };
    for (const [dataset, dir] of Object.entries(overrides.dataDirs)) {
      if (dataset === "*") for (const name of datasetsOf(spec)) dataDirs[name] = dir;
      else dataDirs[dataset] = dir;
    }
    json.dataDirs = dataDirs as PlanSpec["dataDirs"];
  }
  return validatePlanSpec(json, `${source} with the command-line options`);
}

/** Reads or builds the spec and expands it into a plan. */
export function planFromSource(source: PlanSource, overrides: PlanOverrides = {}): Plan {
  if (source.kind === "preset") {
    const scale = source.scale ?? defaultScale(source.name);
    const machine = {
      cudaDevices: engineInfo().cudaDeviceCount,
      cores: availableParallelism(),
      cpuCapabilities: runnableCapabilities(vectorExtensions()),
    };
    const spec = applyOverrides(
      presetSpec(source.name, scale, machine),
      overrides,
      `preset ${source.name}`,
    );
    return expandPlan(spec, `preset ${source.name}`, { preset: source.name, scale, overrides });
  }
  let text: string;
  try {
    text = readFileSync(source.path, "utf8");
  } catch (error) {
    throw new UserError(
      `--plan ${source.path}: cannot read (${(error as NodeJS.ErrnoException).code})`,
    );
  }
  const spec = applyOverrides(parsePlanSpec(text, source.path), overrides, source.path);
  return expandPlan(spec, source.path, { planFile: source.path, overrides });
}

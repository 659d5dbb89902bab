/**
 * A plan: the list of fully resolved runs an experiment consists of. It is expanded from a
 * spec (plan-spec.ts) and written to `DIR/plan.json` before anything runs, so every runner
 * on the folder — on this machine or another — works from the same list.
 */
import { existsSync, linkSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { UserError } from "../errors.js";
import { writeFileAtomicSync } from "../io/atomic.js";
import { findModelDescriptor } from "../nn/models/index.js";
import { configValue, type RunPool, runPoolSchema } from "../run-folder/pool.js";
import { groupName, type RunConfig, runConfigSchema, withDropoutSource } from "../train/config.js";
import { runGroupName } from "../train/pool.js";
import { type RunRequest, resolveRunConfig } from "../train/recipes.js";
import { type Grid, gridPath, gridsOf, type PlanSpec, settingsOf } from "./plan-spec.js";

export const PLAN_FORMAT = "nnr-plan/1";

const planEntrySchema = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/),
  group: z.string(),
  replicate: z.number().int().min(0),
  // A plan written before dropout was a source reads as its settings plan it today.
  config: z.preprocess(withDropoutSource, runConfigSchema),
  /** Set for the runs of a pooled grid (e.g. the tooling study). */
  pool: runPoolSchema.optional(),
});
export type PlanEntry = z.infer<typeof planEntrySchema>;

const planSchema = z.strictObject({
  format: z.literal(PLAN_FORMAT),
  name: z.string(),
  createdAt: z.string(),
  /** What the plan was expanded from (preset, scale, spec), for the record. */
  source: z.record(z.string(), z.unknown()),
  runs: z.array(planEntrySchema).min(1),
});
export type Plan = z.infer<typeof planSchema>;

type Request = Record<string, unknown>;

/** Layers requests; the partial nested objects (optimizer, …) are merged, not replaced. */
function mergeRequests(...layers: (Request | undefined)[]): Request {
  const merged: Request = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer ?? {})) {
      const previous = merged[key];
      const bothObjects =
        typeof value === "object" &&
        value !== null &&
        !Array.isArray(value) &&
        typeof previous === "object" &&
        previous !== null &&
        !Array.isArray(previous);
      merged[key] = bothObjects ? { ...previous, ...value } : value;
    }
  }
  return merged;
}

/**
 * The grid's option combinations: every one (e.g. [{batchNorm:false}, {batchNorm:true}]), or,
 * one at a time, the reference (each option's first value) and then each other value of each
 * option with the rest at the reference. Every combination names every option.
 */
function optionCombinations(
  options: Record<string, unknown[]>,
  design: Grid["design"] = "cross",
): Request[] {
  if (design === "one-at-a-time") {
    const reference: Request = Object.fromEntries(
      Object.entries(options).map(([key, values]) => [key, values[0]]),
    );
    return [
      reference,
      ...Object.entries(options).flatMap(([key, values]) =>
        values.slice(1).map((value) => ({ ...reference, [key]: value })),
      ),
    ];
  }
  let combinations: Request[] = [{}];
  for (const [key, values] of Object.entries(options)) {
    combinations = combinations.flatMap((partial) =>
      values.map((value) => ({ ...partial, [key]: value })),
    );
  }
  return combinations;
}

/** Option values the group name does not already show become part of the run id. */
function optionSuffix(config: RunConfig, varied: Request): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(varied)) {
    if (key === "batchNorm") {
      // The group name shows a BatchNorm switch; a model without one shows it here.
      const model = findModelDescriptor(config.model);
      if (!model?.options.batchNormSwitch && value === true) parts.push("bn");
      continue;
    }
    const text = typeof value === "object" ? JSON.stringify(value) : String(value);
    parts.push(`${key}-${text.replace(/[^A-Za-z0-9.-]+/g, "")}`);
  }
  return parts.map((part) => `_${part}`).join("");
}

/** Expands a validated spec into its runs. `source` names the spec in error messages. */
export function expandPlan(
  spec: PlanSpec,
  source: string,
  record: Record<string, unknown> = {},
): Plan {
  const grids = gridsOf(spec);
  const runs: PlanEntry[] = [];
  const seen = new Map<string, string>();
  for (const [gridIndex, grid] of grids.entries()) {
    const where = gridPath(spec, gridIndex);
    const pools = new PoolBuilder(grid);
    for (const request of gridRequests(grid, spec)) {
      let config: RunConfig;
      try {
        config = resolveRunConfig(request.request as RunRequest);
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        throw new UserError(`${source}: ${where} (${request.label}): ${error.message}`);
      }
      const stem = `${groupName(config)}${optionSuffix(config, request.varied)}`;
      const key = JSON.stringify(config);
      if (seen.has(stem) && seen.get(stem) !== key) {
        throw new UserError(
          `${source}: ${where} (${request.label}): two different configs would share the run name '${stem}'; vary them through grid.options so the name tells them apart`,
        );
      }
      if (seen.get(stem) === key) {
        throw new UserError(
          `${source}: ${where} (${request.label}): the same runs are planned twice`,
        );
      }
      seen.set(stem, key);
      const pool = pools.member(config, request.variant);
      const group = runGroupName(config, pool);
      for (let replicate = 0; replicate < (grid.replicates ?? spec.replicates); replicate++) {
        runs.push({
          id: `${stem}_r${replicate}`,
          group,
          // A pool's members are numbered through the pool, so (group, replicate) stays unique.
          replicate: pool ? pools.nextReplicate(group) : replicate,
          config,
          ...(pool ? { pool } : {}),
        });
      }
    }
  }
  return {
    format: PLAN_FORMAT,
    name: spec.name ?? "plan",
    createdAt: new Date().toISOString(),
    source: { ...record, spec },
    runs,
  };
}

/**
 * The pools of one grid: its runs of each model × dataset are one pool, whose reference is
 * its first run's values of the fields the grid varies (setting and options).
 */
class PoolBuilder {
  private readonly fields: string[];
  private readonly references = new Map<string, Record<string, unknown>>();
  private readonly counts = new Map<string, number>();

  constructor(private readonly grid: Grid) {
    this.fields = [
      ...(settingsOf(grid).length > 1 ? ["setting", "deterministic"] : []),
      ...Object.keys(grid.options ?? {}),
    ];
  }

  /** The pool entry of a run, or undefined when the grid is not pooled. */
  member(config: RunConfig, variant: string): RunPool | undefined {
    if (this.grid.pool === undefined) return undefined;
    const key = `${config.model}|${config.dataset}`;
    let reference = this.references.get(key);
    if (reference === undefined) {
      // configValue: a field absent from the first run's config (worldSize 1) still has a
      // reference value, or the analysis could not tell its members apart by it.
      reference = Object.fromEntries(
        this.fields.map((field) => [field, configValue(config, field)]),
      );
      this.references.set(key, reference);
    }
    return { name: this.grid.pool, variant, reference };
  }

  nextReplicate(group: string): number {
    const count = this.counts.get(group) ?? 0;
    this.counts.set(group, count + 1);
    return count;
  }
}

function* gridRequests(grid: Grid, spec: PlanSpec) {
  const settings = settingsOf(grid);
  for (const model of grid.models) {
    for (const dataset of grid.datasets) {
      for (const setting of settings) {
        for (const varied of optionCombinations(grid.options ?? {}, grid.design)) {
          const dataDir = spec.dataDirs?.[dataset];
          const request = mergeRequests(
            spec.base,
            dataDir === undefined ? undefined : { dataDir },
            grid.base,
            varied,
            { model, dataset, setting },
          );
          const options = Object.entries(varied).map(([k, v]) => `${k}=${optionText(v)}`);
          const label = [model, dataset, setting, ...options].join(" × ");
          // What sets a pool member apart: the setting where the grid has several, the options.
          const variant = [...(settings.length > 1 ? [setting] : []), ...options].join(" ");
          yield { request, varied, label, variant };
        }
      }
    }
  }
}

function optionText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function planPath(dir: string): string {
  return join(dir, "plan.json");
}

/** Reads and checks `DIR/plan.json`. */
export function readPlan(dir: string): Plan {
  const path = planPath(dir);
  if (!existsSync(path)) {
    throw new UserError(`${path}: no plan here; start one with --preset NAME or --plan FILE`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UserError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  const parsed = planSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError(`${path}: not a plan: ${issue.path.join(".")}: ${issue.message}`);
  }
  return parsed.data;
}

/** True when the two plans list the same runs with the same configs. */
export function sameRuns(a: Plan, b: Plan): boolean {
  return JSON.stringify(a.runs) === JSON.stringify(b.runs);
}

/**
 * Writes `DIR/plan.json` unless one exists; returns the plan the folder holds. Linking a
 * finished temporary file to the final name fails if the name exists, so of two runners
 * starting at once exactly one writes, and neither ever reads half a file. A folder that
 * already holds a different plan is an error: runs of two plans must not mix.
 */
export function ensurePlanFile(dir: string, plan: Plan): { plan: Plan; created: boolean } {
  const path = planPath(dir);
  const temporary = join(dir, `.plan.json.${process.pid}.tmp`);
  writeFileAtomicSync(temporary, `${JSON.stringify(plan, null, 2)}\n`);
  let created = true;
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    created = false;
  } finally {
    rmSync(temporary, { force: true });
  }
  if (created) return { plan, created };
  const existing = readPlan(dir);
  if (!sameRuns(existing, plan)) {
    throw new UserError(
      `${path}: this folder holds a different plan ('${existing.name}', ${existing.runs.length} runs); choose another --out, or resume it with 'nnr experiment run --out ${dir}' alone`,
    );
  }
  return { plan: existing, created: false };
}

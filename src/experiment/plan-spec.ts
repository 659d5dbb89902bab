/**
 * A plan spec: the grid a user writes (or a preset builds) before it is expanded into runs.
 *
 *   { "name": "figure2", "replicates": 10, "base": { "epochs": 200 },
 *     "dataDirs": { "cifar10": "/data/cifar10" },
 *     "grid": { "models": ["smallcnn"], "datasets": ["cifar10"],
 *               "settings": ["algo+impl", "algo", "impl", "control"],
 *               "options": { "batchNorm": [false, true] } } }
 *
 * A grid with `"pool": "tooling"` makes its runs of each model × dataset one group, whatever
 * their setting and options: the tooling study fixes the seeds and varies only the tooling.
 *
 * `grid` may also be a list of such grids (e.g. figure 1: SmallCNN on CIFAR-10 and ResNet50 on
 * ImageNet, without crossing them). Validation collects every mistake, each naming its field.
 */
import { z } from "zod";
import { drawsRandomSeeds, SETTING_NAMES, type SettingName } from "../contract/noise-sources.js";
import { DATASET_NAMES } from "../data/dataset-names.js";
import { UserError } from "../errors.js";
import { modelNames } from "../nn/models/index.js";
import { POOL_NAME } from "../run-folder/pool.js";
import { runConfigSchema } from "../train/config.js";
import { isOnnxModelPath } from "../train/imported-model.js";
import { didYouMean } from "./field-names.js";

/** Run-config fields a plan may set in `base` or vary in `options`; the grid sets the rest. */
const GRID_FIELDS = ["model", "dataset", "setting"] as const;
const REQUEST_FIELDS = Object.keys(runConfigSchema.shape).filter(
  (key) => !(GRID_FIELDS as readonly string[]).includes(key),
);
/** Nested objects a request may give in part (the rest comes from the recipe). */
const PARTIAL_FIELDS = new Set(["optimizer", "deterministic", "fixedSeeds"]);

const replicatesSchema = z.number().int().min(1, "must be a whole number ≥ 1");
const requestSchema = z.record(z.string(), z.unknown());

const gridSchema = z.strictObject({
  models: z.array(z.string()).min(1, "list at least one model"),
  datasets: z.array(z.enum(DATASET_NAMES)).min(1, "list at least one dataset"),
  settings: z.array(z.enum(SETTING_NAMES)).min(1, "list at least one setting").optional(),
  /** Run-config fields to cross with the rest, e.g. { "batchNorm": [false, true] }. */
  options: z.record(z.string(), z.array(z.unknown()).min(1, "list at least one value")).optional(),
  /**
   * How the options combine: "cross" (default) takes every combination; "one-at-a-time" takes
   * the first value of each as the reference and changes one option at a time from it, so k
   * options of two values each give k + 1 runs rather than 2^k.
   */
  design: z.enum(["cross", "one-at-a-time"]).optional(),
  /** Fields for this grid only, over the plan's `base`. */
  base: requestSchema.optional(),
  replicates: replicatesSchema.optional(),
  /**
   * Analyse the runs of each model × dataset of this grid as one group with this name, in
   * place of a setting: e.g. "tooling", where settings and options vary only the tooling.
   */
  pool: z
    .string()
    .regex(POOL_NAME, "use lower-case letters, digits and '-', starting with a letter")
    .refine((name) => !(SETTING_NAMES as string[]).includes(name), "must not be a setting's name")
    .optional(),
});

const specSchema = z.strictObject({
  format: z.literal("nnr-plan-spec/1").optional(),
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "use letters, digits, '.', '_' or '-'")
    .optional(),
  replicates: replicatesSchema,
  base: requestSchema.optional(),
  dataDirs: z.partialRecord(z.enum(DATASET_NAMES), z.string().min(1)).optional(),
  grid: z.unknown().optional(),
});

export type Grid = z.infer<typeof gridSchema>;
export interface PlanSpec extends Omit<z.infer<typeof specSchema>, "grid"> {
  grid: Grid | Grid[];
}

/** A spec's grids as a list, whether it gives one grid or several. */
export function gridsOf(spec: Pick<PlanSpec, "grid">): Grid[] {
  return Array.isArray(spec.grid) ? spec.grid : [spec.grid];
}

/** How a message names grid `index` of a spec: `grid[1]`, or `grid` when there is one. */
export function gridPath(spec: Pick<PlanSpec, "grid">, index: number): string {
  return Array.isArray(spec.grid) ? `grid[${index}]` : "grid";
}

/** The settings a grid crosses: those it lists, or all four. */
export function settingsOf(grid: Grid): readonly SettingName[] {
  return grid.settings ?? SETTING_NAMES;
}

type Path = readonly PropertyKey[];

/** `grid.models[1]`, `base.optimizer.lr`: the way a user finds the field in the file. */
export function fieldPath(path: Path): string {
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else text += text === "" ? String(part) : `.${String(part)}`;
  }
  return text === "" ? "(top level)" : text;
}

function valueAt(root: unknown, path: Path): unknown {
  let value = root;
  for (const part of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[part];
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function shortJson(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

interface SchemaDef {
  type: string;
  shape?: Record<string, { _zod: { def: SchemaDef } }>;
  innerType?: { _zod: { def: SchemaDef } };
  element?: { _zod: { def: SchemaDef } };
  options?: { _zod: { def: SchemaDef } }[];
}

/** The field names an object schema at `path` knows (through optional, default, arrays, unions). */
function knownKeysAt(schema: z.ZodType, path: Path): string[] {
  const walk = (def: SchemaDef, rest: Path): string[] => {
    if (def.innerType) return walk(def.innerType._zod.def, rest);
    if (def.type === "array" && def.element) {
      return walk(def.element._zod.def, typeof rest[0] === "number" ? rest.slice(1) : rest);
    }
    if (def.type === "union" && def.options)
      return def.options.flatMap((o) => walk(o._zod.def, rest));
    if (def.type !== "object" || def.shape === undefined) return [];
    if (rest.length === 0) return Object.keys(def.shape);
    const field = def.shape[String(rest[0])];
    return field === undefined ? [] : walk(field._zod.def, rest.slice(1));
  };
  return walk((schema as unknown as { _zod: { def: SchemaDef } })._zod.def, path);
}

/** One line per zod issue, naming the field and the value that was there. */
function issueLines(error: z.ZodError, root: unknown, prefix: Path, schema?: z.ZodType): string[] {
  return error.issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      const known = schema === undefined ? [] : knownKeysAt(schema, issue.path);
      const listed = known.length > 0 ? ` (fields here: ${known.join(", ")})` : "";
      return issue.keys.map(
        (key) => `${fieldPath(path)}: unknown field '${key}'${didYouMean(key, known) || listed}`,
      );
    }
    const value = valueAt(root, path);
    const got = value === undefined ? "missing" : `got ${shortJson(value)}`;
    return `${fieldPath(path)}: ${issue.message} (${got})`;
  });
}

/** What to say of a field a run config does not have: where it belongs, or its nearest name. */
function unknownFieldHint(key: string): string {
  if ((GRID_FIELDS as readonly string[]).includes(key)) return `; set ${key}s in the grid`;
  const shape = runConfigSchema.shape as Record<string, z.ZodType>;
  const homes = [...PARTIAL_FIELDS].filter((field) => knownKeysAt(shape[field]!, []).includes(key));
  if (homes.length > 0) {
    return `; it belongs in ${homes.map((home) => `${home}.${key}`).join(" or ")}, e.g. "${homes[0]}": { "${key}": … }`;
  }
  return didYouMean(key, REQUEST_FIELDS) || `; fields are ${REQUEST_FIELDS.join(", ")}`;
}

/** Checks the fields of a `base` or `options` object against the run config's own schema. */
function requestLines(
  request: Record<string, unknown>,
  root: unknown,
  prefix: Path,
  each: boolean,
) {
  const lines: string[] = [];
  for (const [key, raw] of Object.entries(request)) {
    const path = [...prefix, key];
    if (!REQUEST_FIELDS.includes(key)) {
      lines.push(`${fieldPath(path)}: unknown run-config field '${key}'${unknownFieldHint(key)}`);
      continue;
    }
    const shape = runConfigSchema.shape as Record<string, z.ZodType>;
    let schema = shape[key]!;
    // Given in part (the rest from the recipe), but strictly: a misspelt field is refused.
    if (PARTIAL_FIELDS.has(key)) schema = (schema as z.ZodObject).partial().strict();
    if (each && !Array.isArray(raw)) continue; // the grid's own schema reports it
    const values = each ? (raw as unknown[]) : [raw];
    for (const [index, value] of values.entries()) {
      const parsed = schema.safeParse(value);
      if (!parsed.success)
        lines.push(...issueLines(parsed.error, root, each ? [...path, index] : path, schema));
    }
  }
  return lines;
}

/** A model, dataset or setting listed twice would plan the same runs twice. */
function duplicateLines(raw: unknown, prefix: Path): string[] {
  const lines: string[] = [];
  for (const field of ["models", "datasets", "settings"]) {
    const list = valueAt(raw, [field]);
    if (!Array.isArray(list)) continue;
    const seen = new Set<string>();
    for (const [index, item] of list.entries()) {
      const key = JSON.stringify(item);
      if (seen.has(key))
        lines.push(`${fieldPath([...prefix, field, index])}: ${key} is listed twice`);
      seen.add(key);
    }
  }
  return lines;
}

/** The checks of a grid's base and options, for a grid whose other fields failed. */
function looseGridLines(raw: unknown, root: unknown, prefix: Path): string[] {
  if (!isPlainObject(raw)) return [];
  const lines: string[] = [];
  if (isPlainObject(raw.base))
    lines.push(...requestLines(raw.base, root, [...prefix, "base"], false));
  if (isPlainObject(raw.options)) {
    lines.push(...requestLines(raw.options, root, [...prefix, "options"], true));
  }
  return lines;
}

function gridLines(grid: Grid, root: unknown, prefix: Path): string[] {
  const lines: string[] = [];
  const known = modelNames();
  for (const [index, model] of grid.models.entries()) {
    if (!known.includes(model) && !isOnnxModelPath(model)) {
      lines.push(
        `${fieldPath([...prefix, "models", index])}: unknown model '${model}'; choose one of ${known.join(", ")}, or an .onnx file`,
      );
    }
  }
  if (grid.pool !== undefined) {
    // A pool's runs must differ only in what its variants name: random seeds would too.
    const random = settingsOf(grid).filter(drawsRandomSeeds);
    if (random.length > 0) {
      lines.push(
        `${fieldPath([...prefix, "pool"])}: a pool compares runs with every seed fixed, but setting(s) ${random.join(", ")} draw random seeds; list only "control" and "impl" in settings`,
      );
    }
  }
  if (grid.base) lines.push(...requestLines(grid.base, root, [...prefix, "base"], false));
  if (grid.options) lines.push(...requestLines(grid.options, root, [...prefix, "options"], true));
  return lines;
}

/**
 * Validates a parsed plan spec; throws one UserError listing every mistake on one line,
 * each as `source: field: what is wrong (got value)`.
 */
export function validatePlanSpec(json: unknown, source: string): PlanSpec {
  const fail = (lines: string[]): never => {
    throw new UserError(lines.map((line) => `${source}: ${line}`).join("; "));
  };
  const lines: string[] = [];
  const parsed = specSchema.safeParse(json);
  if (!parsed.success) lines.push(...issueLines(parsed.error, json, [], specSchema));
  if (!isPlainObject(json)) fail(["a plan spec is a JSON object with replicates and grid"]);
  // Go on into base and grid even when the top level has mistakes: report them all at once.
  const { base, grid: gridValue } = json as Record<string, unknown>;
  if (isPlainObject(base)) lines.push(...requestLines(base, json, ["base"], false));
  if (gridValue === undefined) lines.push("grid: missing (give an object or a list of objects)");
  const gridList = Array.isArray(gridValue) ? gridValue : [gridValue];
  if (Array.isArray(gridValue) && gridValue.length === 0) lines.push("grid: the list is empty");
  const grids: Grid[] = [];
  for (const [index, raw] of gridList.entries()) {
    if (raw === undefined) continue;
    const prefix: Path = Array.isArray(gridValue) ? ["grid", index] : ["grid"];
    const grid = gridSchema.safeParse(raw);
    lines.push(...duplicateLines(raw, prefix));
    if (!grid.success) {
      lines.push(...issueLines(grid.error, json, prefix, gridSchema));
      // Its base and options are checked all the same: every mistake in one pass.
      lines.push(...looseGridLines(raw, json, prefix));
      continue;
    }
    lines.push(...gridLines(grid.data, json, prefix));
    grids.push(grid.data);
  }
  if (lines.length > 0) fail(lines);
  return { ...parsed.data!, grid: Array.isArray(gridValue) ? grids : grids[0]! };
}

/** Parses plan-spec JSON text; bad JSON is reported with its line and column. */
export function parsePlanSpec(text: string, source: string): PlanSpec {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message);
    let where = "";
    if (position) {
      const before = text.slice(0, Number(position[1]));
      const line = before.split("\n").length;
      where = ` at line ${line}, column ${before.length - before.lastIndexOf("\n")}`;
    }
    throw new UserError(`${source}: not valid JSON${where}: ${message.split("\n")[0]}`);
  }
  return validatePlanSpec(json, source);
}

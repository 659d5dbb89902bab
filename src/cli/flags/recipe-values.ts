/**
 * Parsers of the recipe flags whose values are structured: the input pipeline (a pipeline's
 * name, or a JSON list of steps checked against the transforms' schema, never evaluated) and
 * the shuffle (permutation, none, buffer:N).
 */
import { z } from "zod";
import { PIPELINES } from "../../data/registry.js";
import { type TransformSpec, transformSpecSchema } from "../../data/transforms.js";
import { UserError } from "../../errors.js";
import type { RunConfig } from "../../train/config.js";

const PIPELINE_NAMES = Object.keys(PIPELINES) as (keyof typeof PIPELINES)[];
const transformListSchema = z.array(transformSpecSchema).min(1);

export function transformsFlag(flag: string) {
  return (text: string): TransformSpec[] => {
    const named = PIPELINE_NAMES.find((name) => name === text);
    if (named !== undefined) return [...PIPELINES[named]];
    const expected = `expected ${PIPELINE_NAMES.join(", ")}, or a JSON list of steps such as [{"op":"scale"}]`;
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new UserError(`${flag} ${text}: ${expected}`);
    }
    const parsed = transformListSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new UserError(
        `${flag}: step ${issue.path.join(".") || "(list)"}: ${issue.message}; ${expected}`,
      );
    }
    return parsed.data;
  };
}

export function shuffleFlag(flag: string) {
  return (text: string): RunConfig["shuffle"] => {
    if (text === "permutation" || text === "none") return { kind: text };
    const buffer = /^buffer:(\d+)$/.exec(text);
    const size = buffer ? Number(buffer[1]) : 0;
    if (!(Number.isSafeInteger(size) && size > 0)) {
      throw new UserError(
        `${flag} ${text}: expected permutation, none, or buffer:N with N a positive integer`,
      );
    }
    return { kind: "buffer", size };
  };
}

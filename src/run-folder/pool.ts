/**
 * A pooled run: one member of a group whose runs differ on purpose in a few config fields,
 * such as the tooling study's threads × memory format × deterministic kernels with every
 * seed fixed. The runs of a pool are analysed as one group, named after the pool, and
 * compared with the groups that share the pool's reference config. Training writes this into
 * run.json and the analysis reads it back, so it lives with the run-folder format.
 */
import { z } from "zod";

export const POOL_NAME = /^[a-z][a-z0-9-]*$/;

export const runPoolSchema = z.strictObject({
  /** The pool's name, shown where a setting would be, e.g. "tooling". */
  name: z.string().regex(POOL_NAME),
  /** What sets this member apart, e.g. "impl threads=2 memoryFormat=channels_last". */
  variant: z.string(),
  /** The reference values of the fields the pool varies (those of its first member). */
  reference: z.record(z.string(), z.unknown()),
});

export type RunPool = z.infer<typeof runPoolSchema>;

/**
 * Optional config fields whose absence means a value (a run of one process has no worldSize):
 * a pool that varies one records that value for the members without it, so every member,
 * and the reference, has a value of every varied field to compare.
 */
const ABSENT_MEANS: Readonly<Record<string, unknown>> = { worldSize: 1, kernelL2: 0 };

/** A config's value of a field, with an absent optional field at the value its absence means. */
export function configValue(config: object, field: string): unknown {
  const value = (config as Record<string, unknown>)[field];
  return value === undefined ? ABSENT_MEANS[field] : value;
}

/**
 * The config the pool stands for: this run's, with the varied fields at their reference. A
 * field whose reference is what its absence means is left out, as in a config of that value,
 * so the pool's reference config is the same as the plain runs' beside it.
 */
export function referenceConfig<T extends object>(config: T, pool: RunPool): T {
  const merged: Record<string, unknown> = { ...config, ...pool.reference };
  for (const [field, absent] of Object.entries(ABSENT_MEANS)) {
    if (field in pool.reference && merged[field] === absent) delete merged[field];
  }
  return merged as T;
}

/**
 * The config fields that set a pool's members apart: those of its reference, less the
 * determinism flags where the setting is among them (the setting implies them).
 */
export function variedFields(pool: RunPool): string[] {
  const fields = Object.keys(pool.reference);
  return fields.includes("setting") ? fields.filter((field) => field !== "deterministic") : fields;
}

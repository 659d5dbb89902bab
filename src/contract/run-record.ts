/**
 * run.json (docs/run-folder.md): what a run was, and where it stands. Training writes it; the
 * runner, the analysis, `nnr train --resume` and `--replay` read it, all through
 * {@link readRunRecordFile}, which checks the parts every reader relies on and hands back the
 * file's object as it is — unread fields carried along, key order kept, no default filled in,
 * so a resumed run rewrites its run.json in the form it was written.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";
import { RUN_FORMAT_PREFIX, type RunFormat } from "../run-folder/files.js";
import { type RunPool, runPoolSchema } from "../run-folder/pool.js";
import type { SourceSeeds } from "./noise-sources.js";
import type { TaskKind } from "./task.js";

export const RUN_STATUSES = ["running", "complete", "failed"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** The config fields the readers use; the run's whole config is train/config.ts's schema. */
interface RecordConfig {
  model: string;
  dataset: string;
  setting: string;
}

/**
 * run.json's fields. The parts that other layers describe (the config, the engine, the data
 * loader, the data-parallel layout) are type parameters: train/record.ts fills them in.
 */
export interface RunRecord<
  Config extends RecordConfig = RecordConfig,
  Engine extends object = object,
  Data extends object = object,
  Distributed extends object = object,
> {
  /** Which numbering the folder uses (src/run-folder/files.ts). */
  format: RunFormat;
  status: RunStatus;
  group: string;
  replicate: number;
  config: Config;
  /** Set when the run is one member of a pool analysed as one group (e.g. tooling). */
  pool: RunPool | null;
  seeds: SourceSeeds;
  task: { kind: TaskKind; classes: number; classNames: string[]; testExamples: number };
  engine: Engine;
  data: Data;
  nnr: { version: string };
  /** Set by --perturb-init-ulp: which initial weight had its last bit flipped. */
  perturbation: { parameter: string; index: number } | null;
  /** Facts a reader should know, e.g. why IMPL noise is absent on CPU. */
  notes: string[];
  epochsDone: number;
  predictions: Record<string, string>;
  checkpoints: Record<string, string>;
  weightsSha256?: string;
  error?: string;
  startedAt: string;
  finishedAt?: string;
  /** Training time, summed over resumed sessions. */
  seconds: number;
  /** Set when the run spanned several processes: world size, backend, bucket layout. */
  distributed?: Distributed;
}

/**
 * What a reader may rely on in any run.json nnr has written (nnr-run/1 and /2): the fields
 * every reader uses, checked; the rest passes through unchecked. Fields added after the first
 * format are optional here.
 */
const runRecordSchema = z
  .object({
    format: z.string().startsWith(RUN_FORMAT_PREFIX),
    status: z.enum(RUN_STATUSES),
    group: z.string().optional(),
    replicate: z.union([z.number(), z.string()]),
    config: z
      .object({
        model: z.string(),
        dataset: z.string(),
        setting: z.string(),
        batchNorm: z.boolean().optional(),
        layout: z.literal("original").optional(),
        worldSize: z.number().int().positive().optional(),
      })
      .loose(),
    pool: runPoolSchema.nullable().optional(),
    seeds: z.record(z.string(), z.number()).optional(),
    task: z
      .object({
        kind: z.enum(["multiclass", "multilabel"]),
        classes: z.number().int().positive().optional(),
        classNames: z.array(z.string()).optional(),
        testExamples: z.number().int().nonnegative().optional(),
      })
      .loose()
      .optional(),
    epochsDone: z.number().int().nonnegative().optional(),
    predictions: z.record(z.string(), z.string()).optional(),
    checkpoints: z.record(z.string(), z.string()).optional(),
    weightsSha256: z.string().optional(),
    seconds: z.number().nonnegative().optional(),
  })
  .loose();

/** The checked fields of a run.json, as any reader may use them. */
export type RunRecordFields = z.infer<typeof runRecordSchema>;

/** A run.json that cannot be read or is not a run record: the message names the file. */
export class RunRecordError extends Error {}

/** Checks parsed JSON as a run record; throws a one-line RunRecordError naming `path`. */
export function checkRunRecord(json: unknown, path: string): RunRecordFields {
  const parsed = runRecordSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new RunRecordError(
      `${path}: not a run record: ${issue?.path.join(".")} ${issue?.message}`,
    );
  }
  // The file's own object, not zod's copy: unread fields and their order are kept.
  return json as RunRecordFields;
}

/**
 * Reads and checks a run.json. Returns null when the file does not exist; throws a one-line
 * RunRecordError naming the file when it cannot be read, is not JSON, or is not a run record.
 */
export function readRunRecordFile(path: string): RunRecordFields | null {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new RunRecordError(`${path}: cannot read run record (${(error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RunRecordError(`${path}: cannot read run record (${(error as Error).message})`);
  }
  return checkRunRecord(json, path);
}

import { existsSync } from "node:fs";
import { join } from "node:path";
import { readRunRecordFile } from "../../contract/run-record.js";
import { dataIdentity } from "../../run-folder/data-identity.js";
import { LOG_CSV, RUN_JSON, TEST_LABELS } from "../../run-folder/files.js";
import { configValue, referenceConfig, variedFields } from "../../run-folder/pool.js";
import { epochFiles } from "./files.js";
import { contextOfRecord } from "./run-context.js";
import { canonicalSetting, type GroupDescriptor, type RunFolder } from "./types.js";

/** JSON with sorted keys, so equal configs give equal keys whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : 1,
    );
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

function epochMap(dir: string, record: Record<string, string> | undefined): Map<number, string> {
  const files = new Map<number, string>();
  for (const [epoch, name] of Object.entries(record ?? {}))
    files.set(Number(epoch), join(dir, name));
  return files;
}

/** Reads one of our run folders; throws a one-line Error naming run.json if it is unusable. */
export function readNnrRunFolder(dir: string): RunFolder {
  const path = join(dir, RUN_JSON);
  const record = readRunRecordFile(path);
  if (record === null) throw new Error(`${path}: cannot read run record (no such file)`);
  const pool = record.pool ?? null;
  // A pool's members stand for its reference config, and the pool's name for their setting.
  const config = pool ? referenceConfig(record.config, pool) : record.config;
  // Everything in the config is part of the group; the setting (and the determinism
  // flags it implies) is what separates the members of a family.
  const { setting: _setting, deterministic: _deterministic, ...familyConfig } = config;
  const setting = pool ? pool.name : canonicalSetting(config.setting);
  const descriptor: GroupDescriptor = {
    model: config.model,
    dataset: config.dataset,
    setting,
    batchNorm: config.batchNorm ?? false,
    familyKey: `nnr:${canonicalJson(familyConfig)}`,
    groupKey: `nnr:${canonicalJson(config)}${pool ? `|pool:${pool.name}` : ""}`,
    label: record.group ?? `${config.model}_${config.dataset}_${setting}`,
    config: { ...familyConfig, setting },
  };
  // run.json lists what it wrote; files present but unlisted (a crash between writing a
  // file and rewriting run.json) are found too.
  const predictionFiles = new Map([
    ...epochFiles(dir, "pred", ".txt"),
    ...epochMap(dir, record.predictions),
  ]);
  const checkpointFiles = new Map([
    ...epochFiles(dir, "ckpt", ".safetensors"),
    ...epochMap(dir, record.checkpoints),
  ]);
  const labelsFile = join(dir, TEST_LABELS);
  const logFile = join(dir, LOG_CSV);
  const originalLayout = record.config.layout === "original";
  return {
    dir,
    layout: "nnr",
    descriptor,
    replicate: String(record.replicate),
    membership: pool
      ? {
          variant: pool.variant,
          fields: Object.fromEntries(
            variedFields(pool).map((field) => [
              field,
              canonicalJson(configValue(record.config, field)),
            ]),
          ),
          reference: Object.fromEntries(
            variedFields(pool).map((field) => [field, canonicalJson(pool.reference[field])]),
          ),
          seconds: record.seconds,
        }
      : undefined,
    status: record.status,
    kind: record.task?.kind,
    classes: record.task?.classes,
    classNames: record.task?.classNames,
    testExamples: record.task?.testExamples,
    predictionFiles,
    checkpointFiles,
    labelsFile: existsSync(labelsFile) ? labelsFile : undefined,
    logFile: existsSync(logFile) ? logFile : undefined,
    // nnr-run/1 logged Keras's 0-based epoch beside 1-based file names; `nnr original`
    // writes the original's layout, Keras's 0-based index in files and log alike.
    logEpochShift: record.format === "nnr-run/1" && !originalLayout ? 1 : 0,
    epochBase: originalLayout ? 0 : 1,
    finalWeightsSha256: record.status === "complete" ? record.weightsSha256 : undefined,
    finalEpoch:
      record.epochsDone === undefined ? undefined : record.epochsDone - (originalLayout ? 1 : 0),
    dataIdentity: dataIdentity(record),
    context: contextOfRecord(record),
  };
}

/**
 * Class names of a Hugging Face dataset, from wherever `datasets` left them: the Parquet
 * files' own `huggingface` metadata, `dataset_info.json`, or the README's YAML header
 * (`class_label: names: '0': airplane …`). Undefined where none says.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { FileMetaData } from "hyparquet";
import { exists } from "./files.js";

const LABEL_FEATURES = ["label", "labels", "fine_label"];

/** `features.<label>.names` of a `datasets` info object. */
function namesInFeatures(features: unknown): string[] | undefined {
  if (features === null || typeof features !== "object") return undefined;
  for (const key of LABEL_FEATURES) {
    const names = (features as Record<string, { names?: unknown } | undefined>)[key]?.names;
    if (Array.isArray(names) && names.every((name) => typeof name === "string")) return names;
  }
  return undefined;
}

function fromParquetMetadata(metadata: FileMetaData | undefined): string[] | undefined {
  const entry = metadata?.key_value_metadata?.find((kv) => kv.key === "huggingface");
  if (entry?.value === undefined) return undefined;
  try {
    return namesInFeatures(JSON.parse(entry.value)?.info?.features);
  } catch {
    return undefined;
  }
}

function fromDatasetInfo(dir: string): string[] | undefined {
  const path = join(dir, "dataset_info.json");
  if (!exists(path)) return undefined;
  try {
    const info = JSON.parse(readFileSync(path, "utf8"));
    // Either one config's info, or a map of config name to info.
    return (
      namesInFeatures(info?.features) ??
      Object.values(info ?? {})
        .map((c) => namesInFeatures((c as { features?: unknown })?.features))
        .find((n) => n !== undefined)
    );
  } catch {
    return undefined;
  }
}

/** The README header's `names:` block: lines `'0': airplane` in order, numbered from 0. */
export function namesInReadme(text: string): string[] | undefined {
  const lines = text.split(/\r?\n/);
  const start = lines.findIndex((line) => /^\s*names:\s*$/.test(line));
  if (start === -1) return undefined;
  const names: string[] = [];
  for (const line of lines.slice(start + 1)) {
    const match = /^\s*['"]?(\d+)['"]?:\s*(.*?)\s*$/.exec(line);
    if (match === null || Number(match[1]) !== names.length) break;
    names.push(match[2]!.replace(/^(['"])(.*)\1$/, "$2"));
  }
  return names.length > 0 ? names : undefined;
}

function fromReadme(dir: string): string[] | undefined {
  const path = join(dir, "README.md");
  if (!exists(path)) return undefined;
  return namesInReadme(readFileSync(path, "utf8"));
}

export function hfClassNames(
  dir: string,
  metadata: FileMetaData | undefined,
): string[] | undefined {
  return fromParquetMetadata(metadata) ?? fromDatasetInfo(dir) ?? fromReadme(dir);
}

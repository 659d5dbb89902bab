/**
 * Which data a run saw, from its run.json: the dataset files' format and SHA-256 (train and
 * test), and the subset taken, as one string. Two runs with equal identities read the same
 * bytes wherever the files lay; the analysis pools no runs whose identities differ.
 */
import { createHash } from "node:crypto";

interface SourceLike {
  format?: unknown;
  files?: { sha256?: unknown }[];
  subset?: unknown;
}

function describeSource(source: SourceLike | undefined): string | null {
  if (source === undefined || !Array.isArray(source.files)) return null;
  const hashes = source.files.map((file) => String(file.sha256)).sort();
  return `${String(source.format)}:${hashes.join(",")}:${String(source.subset ?? "")}`;
}

/** A short digest of the data a run record says it read; undefined where it does not say. */
export function dataIdentity(record: unknown): string | undefined {
  const data = (
    record as {
      data?: { train?: { dataset?: { source?: SourceLike } }; test?: { source?: SourceLike } };
    }
  )?.data;
  const train = describeSource(data?.train?.dataset?.source);
  const test = describeSource(data?.test?.source);
  if (train === null || test === null) return undefined;
  return createHash("sha256").update(`${train}|${test}`).digest("hex").slice(0, 16);
}

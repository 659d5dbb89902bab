/**
 * Hugging Face image classification sets as `datasets` stores them: Parquet files split by
 * name (`train-*.parquet`, `test-*.parquet`, in the folder or its `data/`), an image column
 * of `{bytes, path}` structs holding PNG/JPEG bytes and an integer label column. Read with
 * hyparquet one row group at a time (ranges of the file, never the file whole), every image
 * decoded up front by sharp at its own size (data/decode-image.ts); all must share one size.
 * Runs in a child process (parquet-isolated.ts): a corrupt file may abort the process that
 * reads it.
 */
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import type { AsyncBuffer, FileMetaData, SchemaTree } from "hyparquet";
import { UserError } from "../errors.js";
import { printable } from "../io/errors.js";
import { checkChunkPages } from "../io/parquet-pages.js";
import { classCount } from "./array-dataset.js";
import type { DataOptions } from "./data-options.js";
import { decodeImageBytes, decoderWithResize } from "./decode-image.js";
import { dataFileError, isDirectory, sortedEntries } from "./files.js";
import { hfClassNames } from "./hf-class-names.js";
import { streamedSourceFile } from "./streamed-hash.js";
import type { Dataset, ImageShape, SourceFile } from "./types.js";

export const PARQUET_REMEDY =
  "pass --data-dir with a Hugging Face image dataset's train-*.parquet and test-*.parquet files (an image column of {bytes, path} and an integer label column); see docs/data.md";

/** Images decoded at once: enough to keep sharp's threads busy, few enough to bound memory. */
const DECODE_AHEAD = 32;
const LABEL_COLUMNS = ["label", "labels", "fine_label"];

/** The split's files: `{split}-*.parquet` in the folder or its `data/`; test falls back to validation. */
export function parquetFiles(dir: string, split: "train" | "test"): string[] {
  const folders = [dir, join(dir, "data")].filter(isDirectory);
  const prefixes = split === "train" ? ["train"] : ["test", "validation"];
  for (const prefix of prefixes) {
    for (const folder of folders) {
      const names = sortedEntries(folder).filter(
        (name) => name.startsWith(`${prefix}-`) && name.endsWith(".parquet"),
      );
      if (names.length > 0) return names.map((name) => join(folder, name));
    }
  }
  throw dataFileError(
    dir,
    `has no ${prefixes.map((p) => `${p}-*.parquet`).join(" or ")} files`,
    PARQUET_REMEDY,
  );
}

/** A file read in ranges, as hyparquet asks for them. */
function fileBuffer(path: string): AsyncBuffer & { close(): void } {
  const fd = openSync(path, "r");
  const byteLength = fstatSync(fd).size;
  return {
    byteLength,
    slice(start: number, end = byteLength) {
      const from = Math.max(0, Math.min(start, byteLength));
      const to = Math.max(from, Math.min(end, byteLength));
      const out = new Uint8Array(to - from);
      let done = 0;
      while (done < out.length) {
        const read = readSync(fd, out, done, out.length - done, from + done);
        if (read === 0) break;
        done += read;
      }
      return out.buffer;
    },
    close: () => closeSync(fd),
  };
}

interface Columns {
  image: string;
  label: string;
}

/** Rows one row group may hold here: its arrays stay far below V8's limits. */
const MAX_GROUP_ROWS = 1 << 24;

/**
 * Checks the row groups' counts and the pages of the chunks of `columns` before hyparquet
 * reads them (io/parquet-pages.ts says why).
 */
async function checkGroups(
  file: AsyncBuffer,
  path: string,
  metadata: FileMetaData,
  columns: string[],
): Promise<void> {
  let total = 0;
  for (const group of metadata.row_groups) {
    const rows = Number(group.num_rows);
    if (!Number.isSafeInteger(rows) || rows < 0 || rows > MAX_GROUP_ROWS) {
      throw dataFileError(
        path,
        `corrupt Parquet file: a row group of ${rows} rows (nnr reads up to ${MAX_GROUP_ROWS})`,
        PARQUET_REMEDY,
      );
    }
    total += rows;
    for (const chunk of group.columns) {
      const meta = chunk.meta_data;
      if (meta === undefined || !columns.includes(meta.path_in_schema[0] ?? "")) continue;
      const start = Number(meta.dictionary_page_offset ?? meta.data_page_offset);
      await checkChunkPages(
        file,
        path,
        {
          column: printable(meta.path_in_schema.join(".")),
          start,
          length: Number(meta.total_compressed_size),
          values: Number(meta.num_values),
        },
        rows,
      );
    }
  }
  if (total !== Number(metadata.num_rows)) {
    throw dataFileError(
      path,
      `corrupt Parquet file: row groups hold ${total} rows, the footer says ${metadata.num_rows}`,
      PARQUET_REMEDY,
    );
  }
}

/** The image column (a struct with `bytes`) and the label column (integers), by the schema. */
function findColumns(schema: SchemaTree, path: string): Columns {
  const top = schema.children;
  const image = top.find((c) => c.children.some((child) => child.element.name === "bytes"));
  const integer = (c: SchemaTree) =>
    c.children.length === 0 && (c.element.type === "INT32" || c.element.type === "INT64");
  const label =
    top.find((c) => LABEL_COLUMNS.includes(c.element.name) && integer(c)) ?? top.find(integer);
  const names = top.map((c) => printable(c.element.name)).join(", ");
  if (image === undefined) {
    throw dataFileError(
      path,
      `has no image column (a struct of bytes and path); its columns are ${names}`,
      PARQUET_REMEDY,
    );
  }
  if (label === undefined) {
    throw dataFileError(
      path,
      `has no integer label column; its columns are ${names}`,
      PARQUET_REMEDY,
    );
  }
  return { image: image.element.name, label: label.element.name };
}

/** What the split's files hold, read as each row group is decoded. */
interface Accumulator {
  shape: ImageShape | null;
  chunks: Uint8Array[];
  labels: number[];
}

function cellBytes(cell: unknown): Uint8Array | null {
  const bytes = (cell as { bytes?: unknown } | null)?.bytes;
  return bytes instanceof Uint8Array ? bytes : null;
}

function labelOf(value: unknown, where: string): number {
  const label = typeof value === "bigint" ? Number(value) : value;
  if (typeof label !== "number" || !Number.isInteger(label) || label < 0 || label > 2 ** 31 - 1) {
    throw new UserError(
      `${where}: label ${printable(String(value))} is not a class index (0 or more); ${PARQUET_REMEDY}`,
    );
  }
  return label;
}

async function decodeRows(
  rows: Record<string, unknown>[],
  first: number,
  path: string,
  columns: Columns,
  into: Accumulator,
): Promise<void> {
  for (let start = 0; start < rows.length; start += DECODE_AHEAD) {
    const slice = rows.slice(start, start + DECODE_AHEAD);
    const images = await Promise.all(
      slice.map((row, k) => {
        const where = `${path}: row ${first + start + k}`;
        const bytes = cellBytes(row[columns.image]);
        if (bytes === null)
          throw new UserError(
            `${where}: no image bytes in column ${columns.image}; ${PARQUET_REMEDY}`,
          );
        return decodeImageBytes(bytes, where, PARQUET_REMEDY);
      }),
    );
    images.forEach((image, k) => {
      const where = `${path}: row ${first + start + k}`;
      const shape = { channels: image.channels, height: image.height, width: image.width };
      into.shape ??= shape;
      const want = into.shape;
      if (
        shape.channels !== want.channels ||
        shape.height !== want.height ||
        shape.width !== want.width
      ) {
        throw new UserError(
          `${where}: image is ${shape.width}x${shape.height}x${shape.channels}, the first is ${want.width}x${want.height}x${want.channels}; nnr needs images of one size (resize them when writing the dataset)`,
        );
      }
      into.chunks.push(image.pixels);
      into.labels.push(labelOf(slice[k]![columns.label], where));
    });
  }
}

/** Runs `read` on an open Parquet file, its problems as one line naming the file. */
async function withParquetFile<T>(
  path: string,
  read: (file: AsyncBuffer, hyparquet: typeof import("hyparquet")) => Promise<T>,
): Promise<T> {
  const hyparquet = await import("hyparquet");
  const file = fileBuffer(path);
  try {
    return await read(file, hyparquet);
  } catch (error) {
    if (error instanceof UserError) throw error;
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw dataFileError(path, `not a readable Parquet file (${reason})`, PARQUET_REMEDY);
  } finally {
    file.close();
  }
}

/** The label column of the files alone (no images decoded). */
async function readLabels(paths: string[]): Promise<Int32Array> {
  const labels: number[] = [];
  for (const path of paths) {
    await withParquetFile(
      path,
      async (file, { parquetMetadataAsync, parquetReadObjects, parquetSchema }) => {
        const metadata = await parquetMetadataAsync(file);
        const columns = findColumns(parquetSchema(metadata), path);
        await checkGroups(file, path, metadata, [columns.label]);
        const rows = (await parquetReadObjects({
          file,
          metadata,
          columns: [columns.label],
        })) as Record<string, unknown>[];
        rows.forEach((row, k) => {
          labels.push(labelOf(row[columns.label], `${path}: row ${k}`));
        });
      },
    );
  }
  return Int32Array.from(labels);
}

function readParquetFile(path: string, into: Accumulator): Promise<FileMetaData> {
  return withParquetFile(
    path,
    async (file, { parquetMetadataAsync, parquetReadObjects, parquetSchema }) => {
      const metadata = await parquetMetadataAsync(file);
      const columns = findColumns(parquetSchema(metadata), path);
      await checkGroups(file, path, metadata, [columns.image, columns.label]);
      let first = 0;
      for (const group of metadata.row_groups) {
        const count = Number(group.num_rows);
        const rows = (await parquetReadObjects({
          file,
          metadata,
          columns: [columns.image, columns.label],
          rowStart: first,
          rowEnd: first + count,
          utf8: false,
        })) as Record<string, unknown>[];
        await decodeRows(rows, first, path, columns, into);
        first += count;
      }
      return metadata;
    },
  );
}

/**
 * Reads one split of a Parquet image set in this process. A corrupt file can abort the
 * process from inside the Parquet library, so nnr calls this through loadParquetDataset
 * (parquet-isolated.ts), in a child process.
 */
export async function readParquetDataset(
  dir: string,
  split: "train" | "test",
  options: DataOptions,
): Promise<Dataset> {
  if (options.layout !== undefined) {
    throw new UserError(
      `--layout applies to NumPy arrays; Parquet images say their own layout, so drop it`,
    );
  }
  const paths = parquetFiles(dir, split);
  const into: Accumulator = { shape: null, chunks: [], labels: [] };
  let metadata: FileMetaData | undefined;
  for (const path of paths) metadata = await readParquetFile(path, into);
  if (into.shape === null) throw dataFileError(paths[0]!, "holds no rows", PARQUET_REMEDY);
  const labels = Int32Array.from(into.labels);
  const names = hfClassNames(dir, metadata);
  // The other split's labels too, so both splits count the same classes.
  const otherPaths = parquetFiles(dir, split === "train" ? "test" : "train");
  const other = { values: await readLabels(otherPaths), path: otherPaths[0]! };
  const classes = classCount(
    [{ values: labels, path: paths[0]! }, other],
    options.classes ?? names?.length,
    PARQUET_REMEDY,
  );
  const pixels = new Uint8Array(into.chunks.reduce((sum, c) => sum + c.length, 0));
  let at = 0;
  for (const chunk of into.chunks) {
    pixels.set(chunk, at);
    at += chunk.length;
  }
  const files: SourceFile[] = paths.map(streamedSourceFile);
  return {
    name: "parquet",
    split,
    kind: "multiclass",
    length: labels.length,
    shape: into.shape,
    images: { kind: "memory", pixels },
    labels,
    classNames:
      names?.length === classes ? names : Array.from({ length: classes }, (_, k) => String(k)),
    source: {
      format: "parquet",
      root: dir,
      files,
      decoder: decoderWithResize("none: images at their stored size"),
    },
    valueScale: options.scale ?? 255,
  };
}

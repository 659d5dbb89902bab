/**
 * A Hugging Face image set as `datasets` writes it (`Dataset.to_parquet` / `push_to_hub`):
 * train-*.parquet and test-*.parquet, an `image` column of {bytes, path} structs holding PNG
 * bytes, an int64 `label` column, and the features in the files' `huggingface` metadata.
 * Written with hyparquet-writer, since pyarrow is not installed here (nor packaged by Debian).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import sharp from "sharp";

export interface ParquetImage {
  /** H×W×C bytes to encode, or bytes to store as they are (a corrupt image). */
  pixels?: Uint8Array;
  raw?: Uint8Array;
  label: number;
}

export async function pngOf(
  pixels: Uint8Array,
  width: number,
  height: number,
  channels: 1 | 3,
): Promise<Uint8Array> {
  const image = sharp(Buffer.from(pixels), { raw: { width, height, channels } });
  // sharp writes sRGB unless told: a grey PNG is asked for as such.
  const png = await (channels === 1 ? image.toColourspace("b-w") : image).png().toBuffer();
  return new Uint8Array(png);
}

export interface ParquetFileSpec {
  images: { bytes: Uint8Array | null; path: string | null }[];
  labels: bigint[];
  classNames?: string[];
  /** Column names, to write files without the expected ones. */
  imageColumn?: string;
  /** The image bytes as a plain binary column, not a {bytes, path} struct. */
  flatImages?: boolean;
  labelColumn?: string;
  rowGroupSize?: number;
}

export function parquetBytes(spec: ParquetFileSpec): Uint8Array {
  const imageColumn = spec.imageColumn ?? "image";
  const labelColumn = spec.labelColumn ?? "label";
  const features = {
    [imageColumn]: { _type: "Image" },
    [labelColumn]: { names: spec.classNames ?? [], _type: "ClassLabel" },
  };
  const imageSchema = spec.flatImages
    ? [{ name: imageColumn, type: "BYTE_ARRAY" as const, repetition_type: "OPTIONAL" as const }]
    : [
        { name: imageColumn, repetition_type: "OPTIONAL" as const, num_children: 2 },
        { name: "bytes", type: "BYTE_ARRAY" as const, repetition_type: "OPTIONAL" as const },
        {
          name: "path",
          type: "BYTE_ARRAY" as const,
          converted_type: "UTF8" as const,
          repetition_type: "OPTIONAL" as const,
        },
      ];
  const buffer = parquetWriteBuffer({
    columnData: [
      {
        name: imageColumn,
        data: spec.flatImages ? spec.images.map((image) => image.bytes) : spec.images,
      },
      { name: labelColumn, data: spec.labels },
    ],
    schema: [
      { name: "schema", num_children: 2 },
      ...imageSchema,
      { name: labelColumn, type: "INT64", repetition_type: "OPTIONAL" },
    ],
    ...(spec.rowGroupSize === undefined ? {} : { rowGroupSize: spec.rowGroupSize }),
    kvMetadata: spec.classNames
      ? [{ key: "huggingface", value: JSON.stringify({ info: { features } }) }]
      : [],
  });
  return new Uint8Array(buffer);
}

/** Writes `{split}-0000N-of-0000M.parquet` files under dir/data, as the Hub lays them out. */
export function writeParquetSplit(dir: string, split: string, files: ParquetFileSpec[]): string[] {
  const data = join(dir, "data");
  mkdirSync(data, { recursive: true });
  return files.map((spec, k) => {
    const path = join(
      data,
      `${split}-${String(k).padStart(5, "0")}-of-${String(files.length).padStart(5, "0")}.parquet`,
    );
    writeFileSync(path, parquetBytes(spec));
    return path;
  });
}

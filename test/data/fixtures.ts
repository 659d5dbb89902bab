/** Writers for tiny datasets in the real on-disk formats, and the temp folders they live in. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { encodeIdx } from "../../src/data/idx.js";

const made: string[] = [];

export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `nnr-${label}-`));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Image k of a synthetic set: every byte a known function of (k, position). */
export function syntheticPixels(count: number, elements: number): Uint8Array {
  const pixels = new Uint8Array(count * elements);
  for (let k = 0; k < count; k++) {
    for (let i = 0; i < elements; i++) pixels[k * elements + i] = (k * 31 + i * 7) % 256;
  }
  return pixels;
}

/** An MNIST-style pair `${prefix}-images-idx3-ubyte[.gz]` / `${prefix}-labels-idx1-ubyte[.gz]`. */
export function writeIdxPair(
  dir: string,
  prefix: "train" | "t10k",
  images: Uint8Array,
  labels: Uint8Array,
  size: [number, number],
  gzip: boolean,
): void {
  const suffix = gzip ? ".gz" : "";
  writeFileSync(
    join(dir, `${prefix}-images-idx3-ubyte${suffix}`),
    encodeIdx([labels.length, ...size], images, gzip),
  );
  writeFileSync(
    join(dir, `${prefix}-labels-idx1-ubyte${suffix}`),
    encodeIdx([labels.length], labels, gzip),
  );
}

/** CIFAR-10 records: label byte, then 3072 CHW pixel bytes. */
export function cifar10Records(labels: number[], pixels: Uint8Array): Buffer {
  return Buffer.concat(
    labels.map((label, k) =>
      Buffer.concat([Buffer.from([label]), pixels.subarray(k * 3072, (k + 1) * 3072)]),
    ),
  );
}

/** CIFAR-100 records: coarse byte, fine byte, then 3072 CHW pixel bytes. */
export function cifar100Records(coarse: number[], fine: number[], pixels: Uint8Array): Buffer {
  return Buffer.concat(
    fine.map((label, k) =>
      Buffer.concat([Buffer.from([coarse[k]!, label]), pixels.subarray(k * 3072, (k + 1) * 3072)]),
    ),
  );
}

export interface CelebaRow {
  file: string;
  partition: 0 | 1 | 2;
  attributes: number[]; // 40 values of ±1
  colour: [number, number, number];
}

export const CELEBA_ATTRIBUTES = Array.from({ length: 40 }, (_, a) => `Attr_${a}`);

/** A CelebA folder: solid-colour JPEGs, the attribute list and the partition list. */
export async function writeCeleba(dir: string, rows: CelebaRow[]): Promise<void> {
  mkdirSync(join(dir, "img_align_celeba"), { recursive: true });
  for (const row of rows) {
    await solidImage(row.colour, 20, 24)
      .jpeg({ quality: 95 })
      .toFile(join(dir, "img_align_celeba", row.file));
  }
  const attrLines = [
    String(rows.length),
    `${CELEBA_ATTRIBUTES.join(" ")} `,
    ...rows.map(
      (row) => `${row.file} ${row.attributes.map((v) => String(v).padStart(2)).join(" ")}`,
    ),
  ];
  writeFileSync(join(dir, "list_attr_celeba.txt"), `${attrLines.join("\n")}\n`);
  writeFileSync(
    join(dir, "list_eval_partition.txt"),
    `${rows.map((row) => `${row.file} ${row.partition}`).join("\n")}\n`,
  );
}

export function solidImage(colour: [number, number, number], width: number, height: number) {
  const [r, g, b] = colour;
  return sharp({ create: { width, height, channels: 3, background: { r, g, b } } });
}

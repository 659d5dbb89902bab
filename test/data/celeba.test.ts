import { writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, describe, expect, it } from "vitest";
import { loadDataset } from "../../src/data/registry.js";
import { UserError } from "../../src/errors.js";
import {
  CELEBA_ATTRIBUTES,
  type CelebaRow,
  removeTempDirs,
  tempDir,
  writeCeleba,
} from "./fixtures.js";

afterAll(removeTempDirs);

function attributes(seed: number): number[] {
  return Array.from({ length: 40 }, (_, a) => ((a * 7 + seed) % 3 === 0 ? 1 : -1));
}

const ROWS: CelebaRow[] = [
  { file: "000001.jpg", partition: 0, attributes: attributes(1), colour: [200, 30, 30] },
  { file: "000002.jpg", partition: 2, attributes: attributes(2), colour: [30, 200, 30] },
  { file: "000003.jpg", partition: 0, attributes: attributes(3), colour: [30, 30, 200] },
  { file: "000004.jpg", partition: 1, attributes: attributes(4), colour: [90, 90, 90] },
];

async function writeSet() {
  const dir = tempDir("celeba");
  await writeCeleba(dir, ROWS);
  return dir;
}

function loadError(dir: string): string {
  try {
    loadDataset("celeba", { split: "train", dataDir: dir });
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    return (error as Error).message;
  }
  throw new Error("expected the load to fail");
}

describe("CelebA reader", () => {
  it("selects a split, maps ±1 to 0/1 and decodes resized images", async () => {
    const dir = await writeSet();
    const train = loadDataset("celeba", { split: "train", dataDir: dir, imageSize: 16 });
    expect(train.kind).toBe("multilabel");
    expect(train.length).toBe(2);
    expect(train.classNames).toEqual(CELEBA_ATTRIBUTES);
    const expected = [...attributes(1), ...attributes(3)].map((v) => (v === 1 ? 1 : 0));
    expect(Array.from(train.labels)).toEqual(expected);
    expect(train.shape).toEqual({ channels: 3, height: 16, width: 16 });
    expect(train.source.decoder?.name).toBe("sharp");
    expect(train.source.decoder?.version).toBe(sharp.versions.sharp);
    expect(train.source.decoder?.resize).toBe("fill 16x16, linear kernel");
    if (train.images.kind !== "lazy") throw new Error("CelebA is decoded lazily");
    const second = await train.images.read(1);
    expect(second).toHaveLength(3 * 16 * 16);
    // A solid blue JPEG stays within a few levels of its colour, plane by plane.
    for (const [plane, value] of [30, 30, 200].entries()) {
      const channel = second.subarray(plane * 256, (plane + 1) * 256);
      for (const byte of channel) expect(Math.abs(byte - value)).toBeLessThanOrEqual(3);
    }
    expect(loadDataset("celeba", { split: "test", dataDir: dir }).length).toBe(1);
    expect(loadDataset("celeba", { split: "val", dataDir: dir }).shape.height).toBe(128);
  });

  it("reports an unreadable image when it is decoded", async () => {
    const dir = await writeSet();
    const path = join(dir, "img_align_celeba", "000003.jpg");
    writeFileSync(path, "this is not a JPEG");
    const train = loadDataset("celeba", { split: "train", dataDir: dir });
    if (train.images.kind !== "lazy") throw new Error("CelebA is decoded lazily");
    await expect(train.images.read(1)).rejects.toThrow(
      new UserError(
        `${path}: unreadable image (Input file contains unsupported image format); pass --data-dir with img_align_celeba/, list_attr_celeba.txt and list_eval_partition.txt`,
      ),
    );
  });

  it("reports a truncated JPEG", async () => {
    const dir = await writeSet();
    const path = join(dir, "img_align_celeba", "000001.jpg");
    const bytes = await sharp({ create: { width: 64, height: 64, channels: 3, background: "red" } })
      .jpeg()
      .toBuffer();
    writeFileSync(path, bytes.subarray(0, bytes.length / 2));
    const train = loadDataset("celeba", { split: "train", dataDir: dir });
    if (train.images.kind !== "lazy") throw new Error("CelebA is decoded lazily");
    await expect(train.images.read(0)).rejects.toThrow(/000001\.jpg: unreadable image \(/);
  });

  it("reports a count mismatch, a bad value and a missing partition entry", async () => {
    const dir = await writeSet();
    const attrPath = join(dir, "list_attr_celeba.txt");
    const header = `${CELEBA_ATTRIBUTES.join(" ")}`;
    const row = (file: string, values: string[]) => `${file} ${values.join(" ")}`;
    const ones = Array.from({ length: 40 }, () => "1");
    writeFileSync(attrPath, ["3", header, row("000001.jpg", ones)].join("\n"));
    expect(loadError(dir)).toBe(
      `${attrPath}: header says 3 images but 1 rows follow; pass --data-dir with img_align_celeba/, list_attr_celeba.txt and list_eval_partition.txt`,
    );
    writeFileSync(attrPath, ["1", header, row("000001.jpg", [...ones.slice(1), "0"])].join("\n"));
    expect(loadError(dir)).toMatch(
      /list_attr_celeba\.txt: line 3: value "0" for Attr_39 is not 1 or -1;/,
    );
    writeFileSync(attrPath, ["1", header, row("000009.jpg", ones)].join("\n"));
    expect(loadError(dir)).toMatch(/list_eval_partition\.txt: no partition for 000009\.jpg/);
  });

  it("reports a missing image folder and a missing split", async () => {
    const empty = tempDir("celeba-empty");
    expect(loadError(empty)).toMatch(/img_align_celeba: folder not found;/);
    const dir = tempDir("celeba-no-train");
    await writeCeleba(
      dir,
      ROWS.filter((r) => r.partition !== 0),
    );
    expect(loadError(dir)).toMatch(
      /list_eval_partition\.txt: missing split "train": no image has partition 0;/,
    );
  });
});

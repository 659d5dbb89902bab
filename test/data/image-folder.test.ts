import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadDataset } from "../../src/data/registry.js";
import { UserError } from "../../src/errors.js";
import { removeTempDirs, solidImage, tempDir } from "./fixtures.js";

afterAll(removeTempDirs);

/** PNG is lossless, so solid colours come back exactly after any resize. */
async function writeFolder(): Promise<string> {
  const dir = tempDir("imagenet");
  const classes: [string, [number, number, number]][] = [
    ["n02", [10, 20, 30]],
    ["n01", [200, 100, 0]],
  ];
  for (const split of ["train", "val"]) {
    for (const [name, colour] of classes) {
      mkdirSync(join(dir, split, name), { recursive: true });
      await solidImage(colour, 40, 30)
        .png()
        .toFile(join(dir, split, name, "b.png"));
      await solidImage(colour, 30, 40)
        .jpeg({ quality: 100 })
        .toFile(join(dir, split, name, "a.JPEG"));
      writeFileSync(join(dir, split, name, "notes.txt"), "not an image");
    }
  }
  return dir;
}

describe("image-folder reader", () => {
  it("orders classes and files by name and decodes centre crops", async () => {
    const dir = await writeFolder();
    const train = loadDataset("imagenet", { split: "train", dataDir: dir, imageSize: 8 });
    expect(train.classNames).toEqual(["n01", "n02"]);
    expect(train.length).toBe(4);
    expect(Array.from(train.labels)).toEqual([0, 0, 1, 1]);
    expect(train.shape).toEqual({ channels: 3, height: 8, width: 8 });
    expect(train.source.decoder?.resize).toBe("shorter side 9, linear kernel, centre crop 8x8");
    if (train.images.kind !== "lazy") throw new Error("image folders are decoded lazily");
    const png = await train.images.read(3); // n02/b.png
    expect(Array.from(png.subarray(0, 64))).toEqual(new Array(64).fill(10));
    expect(Array.from(png.subarray(64, 128))).toEqual(new Array(64).fill(20));
    expect(Array.from(png.subarray(128))).toEqual(new Array(64).fill(30));
    const val = loadDataset("imagenet", { split: "val", dataDir: dir });
    expect(val.shape.height).toBe(224);
  });

  it("reports a missing split and a class unknown to train", async () => {
    const dir = await writeFolder();
    expect(() => loadDataset("imagenet", { split: "test", dataDir: dir })).toThrow(
      new UserError('dataset imagenet has no split "test"; its splits are train, val'),
    );
    const empty = tempDir("imagenet-empty");
    expect(() => loadDataset("imagenet", { split: "val", dataDir: empty })).toThrow(
      `${join(empty, "val")}: missing split "val": folder not found; pass --data-dir with train/<class>/*.jpg and val/<class>/*.jpg`,
    );
    mkdirSync(join(dir, "val", "n99"));
    expect(() => loadDataset("imagenet", { split: "val", dataDir: dir })).toThrow(
      /val\/n99: class "n99" has no folder in .*train;/,
    );
  });

  it("reports an unreadable image", async () => {
    const dir = await writeFolder();
    const path = join(dir, "train", "n01", "a.JPEG");
    writeFileSync(path, Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 1, 2]));
    const train = loadDataset("imagenet", { split: "train", dataDir: dir });
    if (train.images.kind !== "lazy") throw new Error("image folders are decoded lazily");
    await expect(train.images.read(0)).rejects.toThrow(
      new RegExp(`^${path}: unreadable image \\(`),
    );
  });
});

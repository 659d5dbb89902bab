/**
 * The formats a user brings, against the IDX reader: images per second from files on disk
 * to a loaded dataset (reading, parsing, decoding), and from the loaded dataset into batches
 * of 128 (permutation epochs after one of warm-up, SmallCNN's scale); each figure the median
 * of 3 loads and 7 epochs, since a shared machine's load moves single figures by 2×. The same images in every format: the
 * first N Fashion-MNIST training images (28×28, grey), and N random CIFAR-shaped images
 * (3×32×32) as CIFAR-10's binary and python versions (the python one pickled by Python 3 at
 * protocol 2, its bytes through _codecs.encode: slower to read than the Python 2 pickles
 * torchvision downloads, which hold them raw). Parquet holds one PNG per image, each
 * decoded by sharp (in a child process, parquet-isolated.ts).
 *
 *   npx tsx bench/data-formats.ts [--images 20000]
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encodeIdx } from "../src/data/idx.js";
import { DataLoader } from "../src/data/loader.js";
import {
  type DatasetName,
  loadDataset,
  loadDatasetAsync,
  PIPELINES,
} from "../src/data/registry.js";
import type { Dataset } from "../src/data/types.js";
import { serializeNpy } from "../src/io/npy.js";

const flag = process.argv.indexOf("--images");
const N = flag === -1 ? 20_000 : Number(process.argv[flag + 1]);
const root = mkdtempSync(join(tmpdir(), "nnr-bench-formats-"));
const LOAD_ROUNDS = 3;
const BATCH_ROUNDS = 7;

function folder(name: string): string {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median over rounds of one permutation epoch each, after one of warm-up. */
async function batchesPerSecond(dataset: Dataset): Promise<number> {
  const loader = new DataLoader(dataset, {
    batchSize: 128,
    inputSeed: 0,
    shuffle: { kind: "permutation" },
    transforms: PIPELINES.scale,
  });
  for await (const _ of loader.epochBatches()); // warm-up: JIT, page faults
  const rates: number[] = [];
  for (let round = 0; round < BATCH_ROUNDS; round++) {
    const start = process.hrtime.bigint();
    let images = 0;
    for await (const batch of loader.epochBatches()) images += batch.imageShape[0];
    rates.push(images / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  return median(rates);
}

async function measure(label: string, name: DatasetName, dir: string): Promise<void> {
  const loadRates: number[] = [];
  let dataset: Dataset | undefined;
  for (let round = 0; round < LOAD_ROUNDS; round++) {
    const start = process.hrtime.bigint();
    dataset = await loadDatasetAsync(name, { split: "train", dataDir: dir, notify: () => {} });
    loadRates.push(dataset.length / (Number(process.hrtime.bigint() - start) / 1e9));
  }
  const batchRate = await batchesPerSecond(dataset!);
  const fmt = (rate: number) => Math.round(rate).toLocaleString("en-US").padStart(11);
  console.log(`${label.padEnd(36)} ${fmt(median(loadRates))} ${fmt(batchRate)}`);
}

function fashionImages(): { pixels: Uint8Array; labels: Uint8Array } {
  const fashion = loadDataset("fashion-mnist", { split: "train", notify: () => {} });
  if (fashion.images.kind !== "memory") throw new Error("Fashion-MNIST is held in memory");
  const n = Math.min(N, fashion.length);
  const pixels = fashion.images.pixels.slice(0, n * 784);
  const labels = Uint8Array.from(fashion.labels.subarray(0, n));
  return { pixels, labels };
}

/** One folder per format, the same grey images in each. */
function writeGreyFormats(pixels: Uint8Array, labels: Uint8Array): void {
  const n = labels.length;
  const idx = folder("idx");
  writeFileSync(join(idx, "train-images-idx3-ubyte"), encodeIdx([n, 28, 28], pixels, false));
  writeFileSync(join(idx, "train-labels-idx1-ubyte"), encodeIdx([n], labels, false));
  writeFileSync(
    join(idx, "t10k-images-idx3-ubyte"),
    encodeIdx([1, 28, 28], pixels.subarray(0, 784), false),
  );
  writeFileSync(join(idx, "t10k-labels-idx1-ubyte"), encodeIdx([1], labels.subarray(0, 1), false));
  const u8 = folder("npy-u8");
  const f32 = folder("npy-f32");
  for (const [dir, x] of [
    [u8, pixels],
    [f32, Float32Array.from(pixels)],
  ] as const) {
    writeFileSync(join(dir, "train_x.npy"), serializeNpy(x, [n, 28, 28]));
    writeFileSync(join(dir, "train_y.npy"), serializeNpy(Int32Array.from(labels), [n]));
    writeFileSync(join(dir, "test_x.npy"), serializeNpy(x.subarray(0, 784), [1, 28, 28]));
    writeFileSync(
      join(dir, "test_y.npy"),
      serializeNpy(Int32Array.from(labels.subarray(0, 1)), [1]),
    );
  }
}

/** npz (stored, deflated), Parquet (PNG) and CIFAR python/binary, written by Python. */
function writePythonFormats(): boolean {
  const script = `
import sys, io, os, pickle, numpy as np
root, n = sys.argv[1], int(sys.argv[2])
x = np.load(os.path.join(root, "npy-u8", "train_x.npy")); y = np.load(os.path.join(root, "npy-u8", "train_y.npy"))
tx = np.load(os.path.join(root, "npy-u8", "test_x.npy")); ty = np.load(os.path.join(root, "npy-u8", "test_y.npy"))
for name, save in (("npz-stored", np.savez), ("npz-deflated", np.savez_compressed)):
    os.makedirs(os.path.join(root, name)); save(os.path.join(root, name, "data.npz"), train_x=x, train_y=y, test_x=tx, test_y=ty)
rng = np.random.default_rng(0)
c = rng.integers(0, 256, size=(n, 3072), dtype=np.uint8); labels = [int(v) for v in rng.integers(0, 10, size=n)]
py, bn = os.path.join(root, "cifar-py"), os.path.join(root, "cifar-bin"); os.makedirs(py); os.makedirs(bn)
per = n // 5
for k in range(5):
    s = slice(k * per, (k + 1) * per)
    pickle.dump({"data": c[s], "labels": labels[s]}, open(os.path.join(py, "data_batch_%d" % (k + 1)), "wb"), protocol=2)
    open(os.path.join(bn, "data_batch_%d.bin" % (k + 1)), "wb").write(b"".join(bytes([labels[i]]) + c[i].tobytes() for i in range(k * per, (k + 1) * per)))
pickle.dump({"data": c[:1], "labels": labels[:1]}, open(os.path.join(py, "test_batch"), "wb"), protocol=2)
open(os.path.join(bn, "test_batch.bin"), "wb").write(bytes([labels[0]]) + c[0].tobytes())
`;
  const run = spawnSync("/usr/bin/python3", ["-c", script, root, String(N)], { stdio: "inherit" });
  return run.status === 0;
}

async function writeParquet(pixels: Uint8Array, labels: Uint8Array): Promise<void> {
  const { parquetWriteBuffer } = await import("hyparquet-writer");
  const sharp = (await import("sharp")).default;
  const images: { bytes: Uint8Array; path: null }[] = [];
  for (let k = 0; k < labels.length; k++) {
    const raw = Buffer.from(pixels.subarray(k * 784, (k + 1) * 784));
    const png = await sharp(raw, { raw: { width: 28, height: 28, channels: 1 } })
      .toColourspace("b-w")
      .png()
      .toBuffer();
    images.push({ bytes: new Uint8Array(png), path: null });
  }
  const write = (split: string, cells: typeof images, y: Uint8Array) => {
    const buffer = parquetWriteBuffer({
      columnData: [
        { name: "image", data: cells },
        { name: "label", data: Array.from(y, (v) => BigInt(v)) },
      ],
      schema: [
        { name: "schema", num_children: 2 },
        { name: "image", repetition_type: "OPTIONAL", num_children: 2 },
        { name: "bytes", type: "BYTE_ARRAY", repetition_type: "OPTIONAL" },
        { name: "path", type: "BYTE_ARRAY", converted_type: "UTF8", repetition_type: "OPTIONAL" },
        { name: "label", type: "INT64", repetition_type: "OPTIONAL" },
      ],
    });
    writeFileSync(
      join(folder("parquet"), `${split}-00000-of-00001.parquet`),
      new Uint8Array(buffer),
    );
  };
  write("train", images, labels);
  write("test", images.slice(0, 1), labels.subarray(0, 1));
}

try {
  const { pixels, labels } = fashionImages();
  writeGreyFormats(pixels, labels);
  const python = writePythonFormats();
  await writeParquet(pixels, labels);
  console.log(`${labels.length} Fashion-MNIST images (28×28×1); CIFAR: ${N} random 3×32×32 images`);
  console.log(`${"format".padEnd(36)} ${"load img/s".padStart(11)} ${"batch img/s".padStart(11)}`);
  await measure("idx (mnist reader)", "mnist", join(root, "idx"));
  await measure("npy uint8", "npy", join(root, "npy-u8"));
  await measure("npy float32 (--scale 1)", "npy", join(root, "npy-f32"));
  if (python) {
    await measure("npz stored (np.savez)", "npy", join(root, "npz-stored"));
    await measure("npz deflated (np.savez_compressed)", "npy", join(root, "npz-deflated"));
  }
  await measure("parquet (PNG bytes, sharp)", "parquet", join(root, "parquet"));
  if (python) {
    await measure("cifar10 binary", "cifar10", join(root, "cifar-bin"));
    await measure("cifar10 python (restricted unpickler)", "cifar10", join(root, "cifar-py"));
  } else {
    console.log("(no /usr/bin/python3 with numpy: npz and CIFAR python versions not measured)");
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}

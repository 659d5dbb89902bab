/**
 * Writes data/fashion-mnist-subset/: the first 2,000 training and 1,000 test examples of
 * the real Fashion-MNIST, as gzipped IDX files, for machines without the Debian package.
 *
 *   npx tsx scripts/make-fashion-subset.ts [source-dir] [target-dir]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { encodeIdx, readIdxFile } from "../src/data/idx.js";
import { FASHION_MNIST_SUBSET_DIR, SYSTEM_FASHION_MNIST_DIR } from "../src/data/registry.js";

const SUBSET_SIZES = { train: 2000, t10k: 1000 } as const;

const sourceDir = process.argv[2] ?? SYSTEM_FASHION_MNIST_DIR;
const targetDir = process.argv[3] ?? FASHION_MNIST_SUBSET_DIR;
mkdirSync(targetDir, { recursive: true });

for (const [prefix, count] of Object.entries(SUBSET_SIZES)) {
  for (const part of ["images-idx3", "labels-idx1"]) {
    const name = `${prefix}-${part}-ubyte.gz`;
    const { array } = readIdxFile(
      join(sourceDir, name),
      "pass the folder holding the full Fashion-MNIST",
    );
    const [, ...rest] = array.dims;
    const perExample = rest.reduce((product, size) => product * size, 1);
    const data = array.data.subarray(0, count * perExample);
    writeFileSync(join(targetDir, name), encodeIdx([count, ...rest], data, true));
    console.log(`${join(targetDir, name)}: ${[count, ...rest].join("×")}`);
  }
}

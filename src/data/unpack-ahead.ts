/**
 * Gunzips a run's data files on a worker thread while the main thread does something else
 * (loading libtorch takes about as long as unpacking Fashion-MNIST). The main thread reads
 * each file as before and takes the unpacked bytes only when the worker unpacked the same
 * bytes (their SHA-256 matches); otherwise, or when the worker failed or is late, it gunzips
 * itself, and reports any problem as it always has. So the bytes a dataset holds are the same
 * either way; only who unpacked them differs.
 */
import { Worker } from "node:worker_threads";

/** Unpacked bytes by path, each with the SHA-256 of the gzipped file it came from. */
const unpacked = new Map<string, { sourceSha256: string; bytes: Buffer }>();

// Plain CommonJS over Node's own modules: the worker needs no compiled project file, so it
// runs the same from dist/ and from the TypeScript sources.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const { readFileSync } = require("node:fs");
const { createHash } = require("node:crypto");
const { gunzipSync } = require("node:zlib");
const files = [];
for (const path of workerData) {
  try {
    const raw = readFileSync(path);
    if (raw.length < 2 || raw[0] !== 0x1f || raw[1] !== 0x8b) continue;
    const bytes = gunzipSync(raw);
    files.push({ path, sourceSha256: createHash("sha256").update(raw).digest("hex"), bytes });
  } catch {
    // The main thread reads the file again and reports what is wrong with it.
  }
}
const whole = files.map((f) => f.bytes.buffer).filter((b, i) =>
  files[i].bytes.byteOffset === 0 && files[i].bytes.byteLength === b.byteLength);
parentPort.postMessage(files, whole);
`;

/** How long the main thread waits for the worker before unpacking by itself. */
const WAIT_MS = 60_000;

/**
 * Starts unpacking `paths` on a worker thread. The promise settles when the bytes are at hand,
 * or when the worker failed or took longer than a minute; it never rejects.
 */
export function unpackAhead(paths: readonly string[]): Promise<void> {
  if (paths.length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    let worker: Worker;
    try {
      worker = new Worker(WORKER_SOURCE, { eval: true, workerData: [...paths] });
    } catch {
      resolve();
      return;
    }
    const timer = setTimeout(() => {
      void worker.terminate();
      resolve();
    }, WAIT_MS);
    const settle = () => {
      clearTimeout(timer);
      resolve();
    };
    worker.on("message", (files: { path: string; sourceSha256: string; bytes: Uint8Array }[]) => {
      for (const { path, sourceSha256, bytes } of files) {
        unpacked.set(path, {
          sourceSha256,
          bytes: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
        });
      }
      settle();
    });
    worker.on("error", settle);
    worker.on("exit", settle);
  });
}

/**
 * The unpacked bytes of `path` if the worker unpacked a file whose SHA-256 is `sourceSha256`;
 * each is handed out once, so the map never holds a dataset longer than needed.
 */
export function takeUnpacked(path: string, sourceSha256: string): Buffer | undefined {
  const found = unpacked.get(path);
  unpacked.delete(path);
  return found?.sourceSha256 === sourceSha256 ? found.bytes : undefined;
}

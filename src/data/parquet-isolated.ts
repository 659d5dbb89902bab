/**
 * Parquet read in a child process. hyparquet trusts counts inside a file's pages (a run
 * length, a value count) and a corrupt one grows a JavaScript array past V8's limit, which
 * aborts the process rather than throwing; found by fuzzing. So the reader (and sharp's
 * decoding, for the same reason) runs in a child, which sends the Dataset back whole; if the
 * child dies, the user gets one line naming the files, and nothing of ours is lost.
 */
import { fork } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { UserError } from "../errors.js";
import type { DataOptions } from "./data-options.js";
import { PARQUET_REMEDY, parquetFiles } from "./parquet-dataset.js";
import type { Dataset } from "./types.js";

export interface ParquetRequest {
  dir: string;
  split: "train" | "test";
  options: DataOptions;
}

export type ParquetReply = { dataset: Dataset } | { error: string; user: boolean };

function childEntry(): { path: string; execArgv: string[] } {
  const compiled = fileURLToPath(new URL("./parquet-child.js", import.meta.url));
  if (import.meta.url.endsWith(".js") && existsSync(compiled))
    return { path: compiled, execArgv: [] };
  return {
    path: fileURLToPath(new URL("./parquet-child.ts", import.meta.url)),
    execArgv: ["--import", import.meta.resolve("tsx")],
  };
}

/** Reads one split of a Parquet image set in a child process. */
export function loadParquetDataset(
  dir: string,
  split: "train" | "test",
  options: DataOptions,
): Promise<Dataset> {
  // Missing files are reported here, without starting a process.
  parquetFiles(dir, split);
  const entry = childEntry();
  return new Promise((resolve, reject) => {
    const child = fork(entry.path, [], {
      execArgv: entry.execArgv,
      serialization: "advanced",
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    });
    let reply: ParquetReply | null = null;
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    child.on("message", (message: ParquetReply) => {
      reply = message;
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      const got = reply as ParquetReply | null;
      if (got !== null && "dataset" in got) return resolve(got.dataset);
      if (got !== null) return reject(got.user ? new UserError(got.error) : new Error(got.error));
      const fatal = /Fatal[^\n]*/.exec(stderr)?.[0]?.trim() ?? `exit ${signal ?? code}`;
      reject(
        new UserError(
          `${dir}: the Parquet reader stopped on a corrupt ${split} file (${fatal}); ${PARQUET_REMEDY}`,
        ),
      );
    });
    child.send({ dir, split, options } satisfies ParquetRequest);
  });
}

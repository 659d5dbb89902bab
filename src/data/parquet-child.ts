/** The child process of parquet-isolated.ts: reads one split and sends the Dataset back. */
import { isUserError } from "../errors.js";
import { readParquetDataset } from "./parquet-dataset.js";
import type { ParquetReply, ParquetRequest } from "./parquet-isolated.js";

process.once("message", async (request: ParquetRequest) => {
  let reply: ParquetReply;
  try {
    reply = { dataset: await readParquetDataset(request.dir, request.split, request.options) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    reply = { error: message, user: isUserError(error) };
  }
  process.send?.(reply, () => process.disconnect());
});

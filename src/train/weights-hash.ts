import { createHash } from "node:crypto";
import type { Tensor } from "../engine/index.js";

/**
 * SHA-256 over a state dict: every entry in name order, as name, dtype, shape and the raw
 * little-endian bytes. Equal hashes mean bit-identical weights (and BatchNorm statistics).
 */
export function stateDictSha256(state: ReadonlyMap<string, Tensor>): string {
  const hash = createHash("sha256");
  for (const name of [...state.keys()].sort()) {
    const t = state.get(name)!;
    hash.update(`${name}\0${t.dtype}\0${t.shape.join(",")}\0`);
    const data = t.dataSync();
    hash.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
  }
  return hash.digest("hex");
}

/**
 * Reads an ONNX model file into plain data (graph-types.ts), refusing in one line anything that
 * is not a model nnr can take: a truncated or non-ONNX file, an opset outside 13..21, a tensor
 * whose size overflows or exceeds memory, float64 weights, external data outside the model's
 * folder. Nothing is allocated for a tensor before its size is checked.
 */
import { readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { UserError } from "../errors.js";
import { decodeGraph } from "./decode-graph.js";
import type { OnnxModel } from "./graph-types.js";
import { MAX_MODEL_FILE_BYTES } from "./limits.js";
import { withOneLineErrors } from "./one-line.js";
import { decodeModel, int64, type ModelProto } from "./proto.js";

/** The opsets of PyTorch 1.13's and 2.x's exporters. */
export const MIN_OPSET = 13;
export const MAX_OPSET = 21;

export interface ReadOptions {
  /**
   * The lowest opset taken; below 13 only for ONNX's own conformance cases, whose models import
   * the opset an op was last changed in (validate.ts refuses the ops that changed since).
   */
  readonly minOpset?: number;
}

export function readOnnxModel(file: string, options: ReadOptions = {}): OnnxModel {
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw new UserError(`${file}: no such model file; give the path of an .onnx file`);
  }
  if (size > MAX_MODEL_FILE_BYTES) {
    throw new UserError(
      `${file}: ${size} bytes, more than an ONNX file can hold (2 GiB); save large weights as external data`,
    );
  }
  return parseOnnxModel(readFileSync(file), file, options);
}

/** Parses the bytes of a model file; `file` names it in messages and locates external data. */
export function parseOnnxModel(
  bytes: Uint8Array,
  file: string,
  options: ReadOptions = {},
): OnnxModel {
  return withOneLineErrors(() => parse(bytes, file, options));
}

function parse(bytes: Uint8Array, file: string, options: ReadOptions): OnnxModel {
  const proto = decodeOrRefuse(bytes, file);
  const opset = defaultOpset(proto, file, options.minOpset ?? MIN_OPSET);
  if (proto.graph === null || proto.graph === undefined) {
    throw notOnnx(file, "it has no graph");
  }
  const graph = decodeGraph(proto.graph, { file, folder: dirname(file) });
  if (graph.outputs.length === 0) throw notOnnx(file, "its graph has no output");
  return { file, opset, producer: proto.producerName ?? "", graph };
}

function notOnnx(file: string, why: string): UserError {
  return new UserError(
    `${file}: not an ONNX model (${why}); export one with torch.onnx.export or tf2onnx`,
  );
}

function decodeOrRefuse(bytes: Uint8Array, file: string): ModelProto {
  if (bytes.length === 0) throw notOnnx(file, "the file is empty");
  try {
    return decodeModel(bytes);
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    throw notOnnx(file, `truncated or damaged: ${reason}`);
  }
}

function defaultOpset(proto: ModelProto, file: string, minOpset: number): number {
  const irVersion = int64(proto.irVersion);
  if (irVersion === null || irVersion < 3) throw notOnnx(file, `IR version ${proto.irVersion}`);
  const entry = (proto.opsetImport ?? []).find((o) => o.domain === "" || o.domain === "ai.onnx");
  const version = entry === undefined ? null : int64(entry.version);
  if (version === null) throw notOnnx(file, "it imports no version of ONNX's operator set");
  if (version < minOpset || version > MAX_OPSET) {
    throw new UserError(
      `${file}: opset ${version}, outside the ${minOpset}..${MAX_OPSET} nnr reads; export again with opset_version=17 (torch.onnx.export)`,
    );
  }
  return version;
}

/**
 * Checkpoints in safetensors (Hugging Face's format: an 8-byte header length, a JSON header,
 * raw little-endian data), written atomically by src/io. Two kinds:
 *
 * - weights: a module's state dict under PyTorch's names, nothing else, so Python's
 *   `safetensors.torch.load_file` + `model.load_state_dict` read it unchanged;
 * - training checkpoints, for resuming: the weights under `model.*`, the optimizer's state
 *   under `optimizer.*` (its numbers in the header), every named generator's state as a
 *   uint8 tensor `generator.{name}`, and a caller's JSON metadata blob.
 */
import { type DType, type Generator, type Tensor, tensor, tidy } from "../engine/index.js";
import {
  type NamedTensor,
  readSafetensors,
  type TensorToWrite,
  type WritableDtype,
  writeSafetensors,
} from "../io/safetensors.js";
import type { Module } from "./module.js";
import type { Optimizer } from "./optim/optimizer.js";

const TO_SAFETENSORS: Partial<Record<DType, WritableDtype>> = {
  float32: "F32",
  float64: "F64",
  int64: "I64",
  int32: "I32",
  uint8: "U8",
  bool: "BOOL",
};

/** A tensor's elements (row-major, whatever its memory layout) in safetensors' terms. */
export function toSafetensorsEntry(t: Tensor): TensorToWrite {
  const dtype = TO_SAFETENSORS[t.dtype];
  if (dtype === undefined)
    throw new Error(`safetensors checkpoints cannot hold ${t.dtype} tensors`);
  return { dtype, shape: [...t.shape], data: t.dataSync() as TensorToWrite["data"] };
}

/** A new tensor (owned by the current scope) from an entry read from a file. */
export function fromSafetensorsEntry(entry: NamedTensor): Tensor {
  return entry.dtype === "BOOL"
    ? tensor(entry.data as Uint8Array, entry.shape, { dtype: "bool" })
    : tensor(entry.data, entry.shape);
}

function entriesOf(named: ReadonlyMap<string, Tensor>, prefix = ""): Map<string, TensorToWrite> {
  const entries = new Map<string, TensorToWrite>();
  for (const [name, t] of named) entries.set(prefix + name, toSafetensorsEntry(t));
  return entries;
}

/** Entries whose names start with prefix, prefix removed, as tensors owned by the current scope. */
function tensorsUnder(
  entries: ReadonlyMap<string, NamedTensor>,
  prefix: string,
): Map<string, Tensor> {
  const tensors = new Map<string, Tensor>();
  for (const [name, entry] of entries) {
    if (name.startsWith(prefix))
      tensors.set(name.slice(prefix.length), fromSafetensorsEntry(entry));
  }
  return tensors;
}

/** Writes a module's state dict, by PyTorch's names, with optional string metadata. */
export function saveWeights(path: string, module: Module, metadata?: Record<string, string>): void {
  writeSafetensors(path, entriesOf(module.stateDict()), metadata);
}

/** Loads a weights file into a module (strict: names and shapes must match). */
export function loadWeights(path: string, module: Module): Record<string, string> {
  const file = readSafetensors(path);
  tidy(() => {
    module.loadStateDict(tensorsUnder(file.tensors, ""));
  });
  return file.metadata;
}

const FORMAT = "nnr-training-checkpoint";
const FORMAT_VERSION = "1";

export interface TrainingState {
  model: Module;
  optimizer: Optimizer;
  /** Every generator whose stream a resumed run must continue, by their unique names. */
  generators: readonly Generator[];
}

/** JSON-serialisable metadata of the caller (epoch, config digest, …). */
export type CheckpointMetadata = Record<string, unknown>;

function generatorsByName(generators: readonly Generator[]): Map<string, Generator> {
  const byName = new Map<string, Generator>();
  for (const generator of generators) {
    if (byName.has(generator.name)) {
      throw new Error(`training checkpoint: two generators are named '${generator.name}'`);
    }
    byName.set(generator.name, generator);
  }
  return byName;
}

export function saveTrainingCheckpoint(
  path: string,
  state: TrainingState,
  metadata: CheckpointMetadata = {},
): void {
  const optimizerState = state.optimizer.stateDict();
  const entries = entriesOf(state.model.stateDict(), "model.");
  for (const [name, entry] of entriesOf(optimizerState.tensors, "optimizer."))
    entries.set(name, entry);
  for (const [name, generator] of generatorsByName(state.generators)) {
    const bytes = generator.getState();
    entries.set(`generator.${name}`, { dtype: "U8", shape: [bytes.length], data: bytes });
  }
  writeSafetensors(path, entries, {
    format: FORMAT,
    format_version: FORMAT_VERSION,
    optimizer_class: state.optimizer.constructor.name,
    optimizer_numbers: JSON.stringify(optimizerState.numbers),
    metadata: JSON.stringify(metadata),
  });
}

/**
 * Restores weights, optimizer state and generator states in place from a training checkpoint,
 * and returns the caller's metadata. Every generator passed must be in the file and vice versa.
 */
export function loadTrainingCheckpoint(path: string, state: TrainingState): CheckpointMetadata {
  const file = readSafetensors(path);
  const header = file.metadata;
  if (header.format !== FORMAT) {
    throw new Error(
      `${path}: not an nnr training checkpoint (format '${header.format ?? "none"}')`,
    );
  }
  if (header.format_version !== FORMAT_VERSION) {
    throw new Error(
      `${path}: training checkpoint version ${header.format_version} is not supported`,
    );
  }
  const optimizerClass = state.optimizer.constructor.name;
  if (header.optimizer_class !== optimizerClass) {
    throw new Error(
      `${path}: holds ${header.optimizer_class} state, cannot resume ${optimizerClass}`,
    );
  }
  const wanted = generatorsByName(state.generators);
  const saved = [...file.tensors.keys()]
    .filter((name) => name.startsWith("generator."))
    .map((name) => name.slice(10));
  const missing = [...wanted.keys()].filter((name) => !saved.includes(name));
  const unexpected = saved.filter((name) => !wanted.has(name));
  if (missing.length > 0 || unexpected.length > 0) {
    throw new Error(
      `${path}: generators differ: missing [${missing.join(", ")}], unexpected [${unexpected.join(", ")}]`,
    );
  }
  tidy(() => {
    state.model.loadStateDict(tensorsUnder(file.tensors, "model."));
    state.optimizer.loadStateDict({
      tensors: tensorsUnder(file.tensors, "optimizer."),
      numbers: JSON.parse(header.optimizer_numbers ?? "{}") as Record<string, number>,
    });
  });
  for (const [name, generator] of wanted) {
    generator.setState(file.tensors.get(`generator.${name}`)!.data as Uint8Array);
  }
  return JSON.parse(header.metadata ?? "{}") as CheckpointMetadata;
}

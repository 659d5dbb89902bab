/**
 * The weights in a Keras HDF5 checkpoint (the original code's ckpt{epoch}.h5), read with
 * jsfive (pure JavaScript, nothing native). Keras's own loader walks the file this way:
 * `model.save` puts the layers under /model_weights, `save_weights` at the root; the group's
 * `layer_names` attribute lists the layers in model order, and each layer's `weight_names`
 * its datasets. Optimizer state (/optimizer_weights) is not the model's and is left out.
 */
import { readFileSync } from "node:fs";
import { Dataset, File, Group } from "jsfive";
import { FileFormatError } from "./errors.js";

export interface KerasWeight {
  shape: number[];
  data: Float32Array;
}

/** Keras writes names as fixed-length byte strings; jsfive keeps their NUL padding. */
function names(attribute: unknown): string[] | undefined {
  if (!Array.isArray(attribute) && !(typeof attribute === "string")) return undefined;
  const list = Array.isArray(attribute) ? attribute : [attribute];
  return list.map((name) => String(name).replace(/\0+$/, ""));
}

/** The parts of jsfive 0.4.2's (private) DataObjects the fast path reads; see contiguousFloat32. */
interface DataObjects {
  fh: ArrayBuffer;
  dtype: unknown;
  shape: number[];
  find_msg_type(type: number): { get(key: "offset_to_message"): number }[];
  _get_data_message_properties(offset: number): [number, number, number, number];
}

const DATA_STORAGE_MESSAGE = 0x0008;
const CONTIGUOUS_LAYOUT = 1;

/**
 * A contiguous little-endian float32 dataset's values, copied straight from the file's bytes.
 * jsfive's `.value` decodes element by element into a JS array: 20 s for ResNet18's 44 MB
 * (bench/keras-h5-read.ts). Keras writes its weights contiguous and uncompressed, so this
 * path nearly always applies; anything else (chunked, compressed, other types), or a jsfive
 * whose internals differ, returns undefined and takes `.value`.
 */
function contiguousFloat32(dataset: Dataset): Float32Array | undefined {
  const objects = (dataset as unknown as { _dataobjects?: DataObjects })._dataobjects;
  try {
    if (objects === undefined || objects.dtype !== "<f4") return undefined;
    const message = objects.find_msg_type(DATA_STORAGE_MESSAGE)[0];
    if (message === undefined) return undefined;
    const [, , layout, propertyOffset] = objects._get_data_message_properties(
      message.get("offset_to_message"),
    );
    if (layout !== CONTIGUOUS_LAYOUT) return undefined;
    const offset = Number(new DataView(objects.fh).getBigUint64(propertyOffset, true));
    const count = objects.shape.reduce((a, b) => a * b, 1);
    if (offset + count * 4 > objects.fh.byteLength) return undefined;
    // A copy: the file's offset need not be 4-byte aligned.
    return new Float32Array(objects.fh.slice(offset, offset + count * 4));
  } catch {
    return undefined;
  }
}

function openFile(path: string): File {
  const bytes = readFileSync(path);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  try {
    return new File(buffer as ArrayBuffer, path);
  } catch (error) {
    throw new FileFormatError(
      path,
      `not a readable HDF5 file (${(error as Error).message || "bad structure"}); is it truncated?`,
    );
  }
}

/** weight name ("conv2d/kernel:0") -> values, in the order Keras's loader assigns them. */
export function readKerasWeights(path: string): Map<string, KerasWeight> {
  const file = openFile(path);
  const root = file.get("model_weights");
  const weightsRoot = root instanceof Group ? root : file;
  const layers = names(weightsRoot.attrs.layer_names);
  if (layers === undefined) {
    throw new FileFormatError(
      path,
      "no layer_names attribute: not a Keras checkpoint (model.save or save_weights .h5)",
    );
  }
  const weights = new Map<string, KerasWeight>();
  for (const layer of layers) {
    const group = weightsRoot.get(layer);
    if (!(group instanceof Group))
      throw new FileFormatError(path, `layer "${layer}" is listed but has no group`);
    for (const name of names(group.attrs.weight_names) ?? []) {
      const dataset = group.get(name);
      if (!(dataset instanceof Dataset))
        throw new FileFormatError(path, `weight "${name}" is listed but has no dataset`);
      let data: Float32Array;
      try {
        data =
          contiguousFloat32(dataset) ??
          Float32Array.from(dataset.value as ArrayLike<number>, Number);
      } catch (error) {
        throw new FileFormatError(
          path,
          `weight "${name}" cannot be read (${(error as Error).message})`,
        );
      }
      const shape = [...dataset.shape];
      if (data.length !== shape.reduce((a, b) => a * b, 1))
        throw new FileFormatError(
          path,
          `weight "${name}" holds ${data.length} values for shape ${shape.join("x")}`,
        );
      weights.set(name, { shape, data });
    }
  }
  return weights;
}

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
        data = Float32Array.from(dataset.value as ArrayLike<number>, Number);
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

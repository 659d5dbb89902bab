/**
 * Parameters and buffers under their ONNX names: `layer1.0.conv1.weight` is the parameter
 * `weight` of the child `layer1` → `0` → `conv1`, so state dicts, checkpoints and traces carry
 * the user's own names (PyTorch's exporter keeps its state_dict's names).
 */
import type { Tensor } from "../engine/index.js";
import { UserError } from "../errors.js";
import { Module } from "../nn/index.js";

/** A node of the tree: holds members, computes nothing. */
export class MemberGroup extends Module {
  forward(_input: Tensor): Tensor {
    throw new Error("a group of an imported model's parameters is not called");
  }

  addParameter(name: string, tensor: Tensor): void {
    this.registerParameter(name, tensor);
  }

  addBuffer(name: string, tensor: Tensor): void {
    this.registerBuffer(name, tensor);
  }

  child(name: string): MemberGroup {
    for (const [own, module] of this.namedChildren()) {
      if (own === name) return module as MemberGroup;
    }
    return this.registerModule(name, new MemberGroup());
  }

  member(name: string, kind: "parameter" | "buffer"): Tensor {
    return kind === "parameter" ? this.parameter(name) : this.buffer(name);
  }
}

/** Where a dotted ONNX name lives: its group and its last segment. */
export interface MemberPlace {
  readonly group: MemberGroup;
  readonly member: string;
}

export function placeOf(root: MemberGroup, name: string, file: string): MemberPlace {
  const segments = name.split(".");
  if (segments.some((s) => s === "")) {
    throw new UserError(
      `${file}: initializer '${name}' has an empty part in its dotted name; rename it before exporting`,
    );
  }
  let group = root;
  for (const segment of segments.slice(0, -1)) group = group.child(segment);
  return { group, member: segments.at(-1)! };
}

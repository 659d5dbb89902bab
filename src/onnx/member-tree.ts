/**
 * Parameters and buffers under their ONNX names: `layer1.0.conv1.weight` is the parameter
 * `weight` of the child `layer1` → `0` → `conv1`, so state dicts, checkpoints and traces carry
 * the user's own names (PyTorch's exporter keeps its state_dict's names).
 */
import type { Tensor } from "../engine/index.js";
import { UserError } from "../errors.js";
import { Module } from "../nn/index.js";

/** What a tree of members needs from a module: registration and lookup by name. */
export interface MemberHost {
  addParameter(name: string, tensor: Tensor): void;
  addBuffer(name: string, tensor: Tensor): void;
  child(name: string): MemberGroup;
  member(name: string, kind: "parameter" | "buffer"): Tensor;
}

/** A node of the tree: holds members, computes nothing. */
export class MemberGroup extends Module implements MemberHost {
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
    return childOf(this, name, (group) => this.registerModule(name, group));
  }

  member(name: string, kind: "parameter" | "buffer"): Tensor {
    return kind === "parameter" ? this.parameter(name) : this.buffer(name);
  }
}

/** The child group `name` of a module, registered through `register` when it is new. */
export function childOf(
  module: Module,
  name: string,
  register: (group: MemberGroup) => MemberGroup,
): MemberGroup {
  for (const [own, child] of module.namedChildren()) {
    if (own === name) return child as MemberGroup;
  }
  return register(new MemberGroup());
}

/** Where a dotted ONNX name lives: its host and its last segment. */
export interface MemberPlace {
  readonly group: MemberHost;
  readonly member: string;
}

export function placeOf(root: MemberHost, name: string, file: string): MemberPlace {
  const segments = name.split(".");
  if (segments.some((s) => s === "")) {
    throw new UserError(
      `${file}: initializer '${name}' has an empty part in its dotted name; rename it before exporting`,
    );
  }
  let group: MemberHost = root;
  for (const segment of segments.slice(0, -1)) group = group.child(segment);
  return { group, member: segments.at(-1)! };
}

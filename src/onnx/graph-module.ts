/**
 * An ONNX graph as an nnr Module: its initializers are parameters, buffers and constants
 * (initializer-roles.ts) under their ONNX names, and forward runs its nodes in order as nnr ops,
 * so libtorch's autograd differentiates it like any zoo model.
 */
import { type Generator, keep, noGrad, type Tensor } from "../engine/index.js";
import { UserError } from "../errors.js";
import type { OnnxModel, OnnxNode } from "./graph-types.js";
import { initializerRoles } from "./initializer-roles.js";
import { MemberGroup, type MemberPlace, placeOf } from "./member-tree.js";
import { withOneLineErrors } from "./one-line.js";
import { OPS, type OpContext } from "./ops/index.js";
import { constantValue, fromOnnx } from "./ops/pad-reduce-constant.js";
import { validateGraph } from "./validate.js";

export interface OnnxModuleOptions {
  /** Dropout's masks come from this generator only. */
  readonly dropoutGenerator: Generator;
}

interface Member extends MemberPlace {
  readonly kind: "parameter" | "buffer";
}

export class OnnxModule extends MemberGroup {
  readonly model: OnnxModel;
  readonly #dropoutGenerator: Generator;
  readonly #members = new Map<string, Member>();
  /** Constant nodes' values and constant initializers, owned here, outside the state dict. */
  #constants = new Map<string, Tensor>();

  constructor(model: OnnxModel, options: OnnxModuleOptions) {
    super();
    this.model = model;
    this.#dropoutGenerator = options.dropoutGenerator;
    withOneLineErrors(() => {
      validateGraph(model);
      try {
        noGrad(() => {
          this.#registerInitializers();
          this.#evaluateConstantNodes();
        });
      } catch (error) {
        this.dispose();
        throw error;
      }
    });
  }

  #registerInitializers(): void {
    const roles = initializerRoles(this.model.graph);
    for (const t of this.model.graph.initializers) {
      const role = roles.get(t.name)!;
      if (role === "constant") {
        this.#setConstant(t.name, fromOnnx(t));
        continue;
      }
      const place = placeOf(this, t.name, this.model.file);
      const value = fromOnnx(t);
      try {
        if (role === "parameter") place.group.addParameter(place.member, value);
        else place.group.addBuffer(place.member, value);
      } catch (error) {
        value.dispose();
        throw new UserError(
          `${this.model.file}: initializer '${t.name}' clashes with another's dotted name (${(error as Error).message}); rename one before exporting`,
        );
      }
      this.#members.set(t.name, { ...place, kind: role });
    }
  }

  /** A constant, replacing (and freeing) one of the same name: a graph may repeat a name. */
  #setConstant(name: string, value: Tensor): void {
    this.#constants.get(name)?.dispose();
    this.#constants.set(name, keep(value));
  }

  #evaluateConstantNodes(): void {
    for (const node of this.model.graph.nodes) {
      if (node.opType !== "Constant") continue;
      this.#setConstant(node.outputs[0] ?? "", constantValue(this.#context(node)));
    }
  }

  #context(node: OnnxNode): OpContext {
    return {
      node,
      opset: this.model.opset,
      file: this.model.file,
      training: this.training,
      dropoutGenerator: this.#dropoutGenerator,
    };
  }

  /** The graph's one input to its first output (the logits, when it is a classifier). */
  override forward(input: Tensor): Tensor {
    const inputs = this.model.graph.inputs;
    if (inputs.length !== 1) {
      throw new UserError(
        `${this.model.file}: the graph takes ${inputs.length} inputs; nnr trains graphs with one`,
      );
    }
    return this.run(new Map([[inputs[0]!.name, input]]))[0]!;
  }

  /** Runs the graph on named inputs; returns its outputs in order. */
  run(feeds: ReadonlyMap<string, Tensor>): Tensor[] {
    return withOneLineErrors(() => this.#run(feeds));
  }

  #run(feeds: ReadonlyMap<string, Tensor>): Tensor[] {
    const values = new Map(feeds);
    const lookup = (name: string): Tensor => {
      const found = values.get(name) ?? this.#constants.get(name);
      if (found !== undefined) return found;
      const member = this.#members.get(name);
      if (member !== undefined) return member.group.member(member.member, member.kind);
      throw new UserError(
        `${this.model.file}: value '${name}' is read before any node computes it`,
      );
    };
    for (const node of this.model.graph.nodes) {
      if (node.opType === "Constant") continue;
      const inputs = node.inputs.map((name) => (name === "" ? null : lookup(name)));
      const outputs = OPS[node.opType]!(inputs, this.#context(node));
      node.outputs.forEach((name, i) => {
        const value = outputs[i];
        if (name !== "" && value !== null && value !== undefined) values.set(name, value);
      });
    }
    return this.model.graph.outputs.map((o) => lookup(o.name));
  }

  override toDevice(device: string): this {
    super.toDevice(device);
    const moved = new Map<string, Tensor>();
    for (const [name, t] of this.#constants) {
      if (t.device === device) {
        moved.set(name, t);
        continue;
      }
      moved.set(name, keep(t.to({ device })));
      t.dispose();
    }
    this.#constants = moved;
    return this;
  }

  override dispose(): void {
    super.dispose();
    for (const t of this.#constants.values()) t.dispose();
    this.#constants.clear();
  }
}

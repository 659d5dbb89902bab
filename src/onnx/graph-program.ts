/**
 * An ONNX graph made runnable on a module: its initializers registered on the module as
 * parameters and buffers (initializer-roles.ts) under their ONNX names, its constants held
 * here, and `run` executing its nodes in order as nnr ops, so libtorch's autograd
 * differentiates it like any zoo model.
 */
import { type Generator, keep, noGrad, type Tensor } from "../engine/index.js";
import { UserError } from "../errors.js";
import { reluOfMaxPool } from "../nn/models/relu-pool.js";
import { type FusedPair, reluPoolPairs } from "./fusion.js";
import type { OnnxModel, OnnxNode } from "./graph-types.js";
import { initializerRoles } from "./initializer-roles.js";
import { type MemberHost, type MemberPlace, placeOf } from "./member-tree.js";
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

export class GraphProgram {
  readonly model: OnnxModel;
  readonly #dropoutGenerator: Generator;
  readonly #members = new Map<string, Member>();
  /** Constant nodes' values and constant initializers, owned here, outside the state dict. */
  #constants = new Map<string, Tensor>();
  /** Relu and 2×2 MaxPool pairs run as one fused op (fusion.ts), by their second node. */
  readonly #fused: Map<number, FusedPair>;
  readonly #fusedFirst: Set<number>;

  /** Validates the graph and registers its tensors on `host`; on failure frees what it made. */
  constructor(model: OnnxModel, host: MemberHost, options: OnnxModuleOptions) {
    this.model = model;
    this.#dropoutGenerator = options.dropoutGenerator;
    this.#fused = reluPoolPairs(model.graph);
    this.#fusedFirst = new Set([...this.#fused.values()].map((pair) => pair.first));
    withOneLineErrors(() => {
      validateGraph(model);
      try {
        noGrad(() => {
          this.#registerInitializers(host);
          this.#evaluateConstantNodes();
        });
      } catch (error) {
        this.dispose();
        throw error;
      }
    });
  }

  #registerInitializers(host: MemberHost): void {
    const roles = initializerRoles(this.model.graph);
    for (const t of this.model.graph.initializers) {
      const role = roles.get(t.name)!;
      if (role === "constant") {
        this.#setConstant(t.name, fromOnnx(t));
        continue;
      }
      const place = placeOf(host, t.name, this.model.file);
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
      this.#setConstant(node.outputs[0] ?? "", constantValue(this.#context(node, false)));
    }
  }

  #context(node: OnnxNode, training: boolean): OpContext {
    return {
      node,
      opset: this.model.opset,
      file: this.model.file,
      training,
      dropoutGenerator: this.#dropoutGenerator,
    };
  }

  /** Runs the graph on named inputs; returns its outputs in order. */
  run(feeds: ReadonlyMap<string, Tensor>, training: boolean): Tensor[] {
    return withOneLineErrors(() => this.#run(feeds, training));
  }

  #run(feeds: ReadonlyMap<string, Tensor>, training: boolean): Tensor[] {
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
    this.model.graph.nodes.forEach((node, index) => {
      if (node.opType === "Constant" || this.#fusedFirst.has(index)) return;
      const pair = this.#fused.get(index);
      if (pair !== undefined) {
        values.set(pair.output, reluOfMaxPool(lookup(pair.input)));
        return;
      }
      const inputs = node.inputs.map((name) => (name === "" ? null : lookup(name)));
      const outputs = OPS[node.opType]!(inputs, this.#context(node, training));
      node.outputs.forEach((name, i) => {
        const value = outputs[i];
        if (name !== "" && value !== null && value !== undefined) values.set(name, value);
      });
    });
    return this.model.graph.outputs.map((o) => lookup(o.name));
  }

  /** The graph's one input to its first output; refuses a graph with several inputs. */
  forward(input: Tensor, training: boolean): Tensor {
    const inputs = this.model.graph.inputs;
    if (inputs.length !== 1) {
      throw new UserError(
        `${this.model.file}: the graph takes ${inputs.length} inputs; nnr trains graphs with one`,
      );
    }
    return this.run(new Map([[inputs[0]!.name, input]]), training)[0]!;
  }

  /** Moves the constants (the module moves its own parameters and buffers). */
  toDevice(device: string): void {
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
  }

  dispose(): void {
    for (const t of this.#constants.values()) t.dispose();
    this.#constants.clear();
  }
}

/** An ONNX graph as a plain nnr Module: named inputs to outputs (graph-program.ts). */
import type { Tensor } from "../engine/index.js";
import { GraphProgram, type OnnxModuleOptions } from "./graph-program.js";
import type { OnnxModel } from "./graph-types.js";
import { MemberGroup } from "./member-tree.js";

export type { OnnxModuleOptions } from "./graph-program.js";

export class OnnxModule extends MemberGroup {
  readonly #program: GraphProgram;

  constructor(model: OnnxModel, options: OnnxModuleOptions) {
    super();
    try {
      this.#program = new GraphProgram(model, this, options);
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  get model(): OnnxModel {
    return this.#program.model;
  }

  /** The graph's one input to its first output. */
  override forward(input: Tensor): Tensor {
    return this.#program.forward(input, this.training);
  }

  /** Runs the graph on named inputs; returns its outputs in order. */
  run(feeds: ReadonlyMap<string, Tensor>): Tensor[] {
    return this.#program.run(feeds, this.training);
  }

  override toDevice(device: string): this {
    super.toDevice(device);
    this.#program.toDevice(device);
    return this;
  }

  override dispose(): void {
    super.dispose();
    this.#program?.dispose();
  }
}

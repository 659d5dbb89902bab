/**
 * An imported graph as a zoo-like classifier Model: batches [N, C, H, W] to logits
 * [N, classes], its parameters and buffers under their ONNX names. The input shape and the
 * number of classes are checked against the dataset's when it is built, in one line. Its
 * initial weights are the file's, or re-drawn by a framework's default rule (init-rules.ts).
 */
import { basename } from "node:path";
import { type Generator, noGrad, type Tensor, tidy, zeros } from "../engine/index.js";
import { UserError } from "../errors.js";
import { type InputShape, Model, type ModelMemoryFormat } from "../nn/index.js";
import { type InputFeed, inputFeed } from "./graph-input.js";
import { GraphProgram } from "./graph-program.js";
import type { OnnxModel } from "./graph-types.js";
import { importNotes } from "./import-notes.js";
import { initRoles } from "./init-roles.js";
import { type InitRule, initNote, reinitialize } from "./init-rules.js";
import { initializerRoles } from "./initializer-roles.js";
import { childOf, type MemberGroup, type MemberHost, placeOf } from "./member-tree.js";

export interface OnnxClassifierOptions {
  classes: number;
  inputShape: InputShape;
  memoryFormat: ModelMemoryFormat;
  dropoutGenerator: Generator;
  /** Where the initial weights come from; absent: the file's. */
  init?: { readonly rule: InitRule; readonly generator: Generator };
}

export class OnnxClassifier extends Model implements MemberHost {
  readonly name: string;
  /** What the import lost against the exported module, one line each (import-notes.ts). */
  readonly notes: readonly string[];
  /** Dropout's masks come from this generator only; a run checkpoints its state. */
  readonly dropoutGenerator: Generator;
  readonly #program: GraphProgram;
  readonly #feed: InputFeed;

  constructor(model: OnnxModel, options: OnnxClassifierOptions) {
    super({
      classes: options.classes,
      inputShape: options.inputShape,
      head: "softmax",
      memoryFormat: options.memoryFormat,
    });
    this.name = basename(model.file);
    this.dropoutGenerator = options.dropoutGenerator;
    try {
      this.#program = new GraphProgram(model, this, options);
      this.#feed = inputFeed(model, options.inputShape);
      const rule = options.init?.rule ?? "file";
      const kept = rule === "file" ? [] : this.#reinitialize(rule, options.init!.generator);
      this.notes = importNotes(model, initNote(model.file, rule, kept));
      this.#checkShapes();
    } catch (error) {
      this.dispose();
      throw error;
    }
  }

  /** Re-draws the parameters and running statistics in the graph's initializer order. */
  #reinitialize(rule: Exclude<InitRule, "file">, generator: Generator): string[] {
    const { graph, file } = this.#program.model;
    const kinds = initializerRoles(graph);
    const members = graph.initializers.flatMap((t) => {
      const kind = kinds.get(t.name);
      if (kind !== "parameter" && kind !== "buffer") return [];
      const place = placeOf(this, t.name, file);
      return [[t.name, place.group.member(place.member, kind)] as const];
    });
    return reinitialize(members, initRoles(graph), rule, generator);
  }

  /** One example of the dataset's shape through the graph, in eval mode: its logits' shape. */
  #checkShapes(): void {
    const [c, h, w] = this.inputShape;
    const file = this.#program.model.file;
    const output = tidy(() =>
      noGrad(() => {
        try {
          return [...this.#program.forward(this.#feed(zeros([1, c, h, w])), false).shape];
        } catch (error) {
          const reason = (error as Error).message.split("\n")[0];
          throw new UserError(
            `${file}: the graph does not take the dataset's images [N, ${c}, ${h}, ${w}] (${reason}); export it for that input shape`,
          );
        }
      }),
    );
    if (output.length !== 2 || output[0] !== 1 || output[1] !== this.classes) {
      throw new UserError(
        `${file}: the graph's output for one image is [${output.join(", ")}], not the dataset's [1, ${this.classes}] logits; export it with ${this.classes} outputs`,
      );
    }
  }

  protected logits(input: Tensor): Tensor {
    return this.#program.forward(this.#feed(input), this.training);
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

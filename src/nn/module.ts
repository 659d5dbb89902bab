/**
 * The base of every layer and model. Parameters, buffers and children are registered
 * explicitly, by name, in registration order; dotted names (`layer1.0.conv1.weight`) are laid
 * out as PyTorch's `state_dict()` lays them out, so a checkpoint maps one to one onto the same
 * model built in PyTorch.
 *
 * A module owns its tensors: they are kept out of every scope and freed by `dispose()`.
 */
import { keep, type MemoryFormat, noGrad, type Tensor } from "../engine/index.js";

/** The memory layouts a model can be trained in; recorded with runs, since it changes the bits. */
export type ModelMemoryFormat = Exclude<MemoryFormat, "preserve">;

interface BufferEntry {
  tensor: Tensor;
  /** Non-persistent buffers are left out of the state dict, as in PyTorch. */
  persistent: boolean;
}

export abstract class Module {
  readonly #parameters = new Map<string, Tensor>();
  readonly #buffers = new Map<string, BufferEntry>();
  readonly #children = new Map<string, Module>();
  #training = true;

  abstract forward(input: Tensor): Tensor;

  // ---- registration ----

  /** Registers a trainable tensor: the module takes ownership and turns gradients on. */
  protected registerParameter(name: string, tensor: Tensor): Tensor {
    this.#checkName(name);
    this.#parameters.set(name, keep(tensor).requiresGrad_(true));
    return tensor;
  }

  protected registerBuffer(name: string, tensor: Tensor, persistent = true): Tensor {
    this.#checkName(name);
    this.#buffers.set(name, { tensor: keep(tensor), persistent });
    return tensor;
  }

  protected registerModule<M extends Module>(name: string, child: M): M {
    this.#checkName(name);
    this.#children.set(name, child);
    return child;
  }

  /** A parameter registered on this module (layers read their weights through this). */
  protected parameter(name: string): Tensor {
    const tensor = this.#parameters.get(name);
    if (tensor === undefined) throw new Error(`${this.constructor.name}: no parameter '${name}'`);
    return tensor;
  }

  protected buffer(name: string): Tensor {
    const entry = this.#buffers.get(name);
    if (entry === undefined) throw new Error(`${this.constructor.name}: no buffer '${name}'`);
    return entry.tensor;
  }

  #checkName(name: string): void {
    if (name === "" || name.includes(".")) {
      throw new Error(`${this.constructor.name}: invalid member name '${name}'`);
    }
    if (this.#parameters.has(name) || this.#buffers.has(name) || this.#children.has(name)) {
      throw new Error(`${this.constructor.name}: '${name}' is already registered`);
    }
  }

  // ---- traversal (PyTorch's order: own members first, then each child in turn) ----

  *namedChildren(): IterableIterator<[string, Module]> {
    yield* this.#children;
  }

  *namedModules(prefix = ""): IterableIterator<[string, Module]> {
    yield [prefix, this];
    for (const [name, child] of this.#children) {
      yield* child.namedModules(prefix === "" ? name : `${prefix}.${name}`);
    }
  }

  *namedParameters(): IterableIterator<[string, Tensor]> {
    for (const [path, module] of this.namedModules()) {
      for (const [name, tensor] of module.#parameters) yield [join(path, name), tensor];
    }
  }

  parameters(): Tensor[] {
    return Array.from(this.namedParameters(), ([, tensor]) => tensor);
  }

  /** Every buffer, persistent or not. */
  *namedBuffers(): IterableIterator<[string, Tensor]> {
    for (const [path, module] of this.namedModules()) {
      for (const [name, entry] of module.#buffers) yield [join(path, name), entry.tensor];
    }
  }

  /** Number of trainable scalars (what papers and Keras's summary call parameters). */
  parameterCount(): number {
    let count = 0;
    for (const tensor of this.parameters()) count += tensor.size;
    return count;
  }

  // ---- modes ----

  get training(): boolean {
    return this.#training;
  }

  train(mode = true): this {
    for (const [, module] of this.namedModules()) module.#training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  // ---- state ----

  /**
   * Parameters and persistent buffers by dotted name, per module in registration order
   * (parameters before buffers), as PyTorch's state_dict(). The tensors are the module's own,
   * not copies: read them, do not dispose them.
   */
  stateDict(): Map<string, Tensor> {
    const state = new Map<string, Tensor>();
    for (const [path, module] of this.namedModules()) {
      for (const [name, tensor] of module.#parameters) state.set(join(path, name), tensor);
      for (const [name, entry] of module.#buffers) {
        if (entry.persistent) state.set(join(path, name), entry.tensor);
      }
    }
    return state;
  }

  /**
   * Copies values into the module's tensors (keeping their memory layout and gradient flags).
   * Strict, as PyTorch's default: every key must match, and every shape.
   */
  loadStateDict(state: ReadonlyMap<string, Tensor>): void {
    const own = this.stateDict();
    const missing = [...own.keys()].filter((name) => !state.has(name));
    const unexpected = [...state.keys()].filter((name) => !own.has(name));
    if (missing.length > 0 || unexpected.length > 0) {
      throw new Error(
        `loadStateDict: ${describeKeys("missing", missing)}${missing.length > 0 && unexpected.length > 0 ? "; " : ""}${describeKeys("unexpected", unexpected)}`,
      );
    }
    for (const [name, target] of own) {
      const source = state.get(name)!;
      if (!sameShape(source.shape, target.shape)) {
        throw new Error(
          `loadStateDict: '${name}' has shape [${source.shape}], the module expects [${target.shape}]`,
        );
      }
    }
    noGrad(() => {
      for (const [name, target] of own) target.copy_(state.get(name)!);
    });
  }

  /**
   * Converts every 4-D parameter and buffer to the given layout. PyTorch's
   * `model.to(memory_format=...)`: values are unchanged, the kernels (and so the bits) differ.
   */
  toMemoryFormat(format: ModelMemoryFormat, strides: LayoutStrides = "canonical"): this {
    for (const [, module] of this.namedModules()) module.#layout = format;
    if (strides === "kept") {
      return this.#replaceTensors(
        (t) => t.ndim === 4 && !t.isContiguous(format),
        (t) => t.contiguous(format),
      );
    }
    return this.#replaceTensors(
      (t) => t.ndim === 4 && !hasCanonicalStrides(t, format),
      (t) => t.clone(format),
    );
  }

  /** Moves every parameter and buffer to a device ("cpu", "cuda", "cuda:1"), layout kept. */
  toDevice(device: string): this {
    return this.#replaceTensors(
      (t) => t.device !== device,
      (t) => t.to({ device }),
    );
  }

  #layout: ModelMemoryFormat = "contiguous";

  /** The layout toMemoryFormat last gave this module (and its children). */
  get memoryLayout(): ModelMemoryFormat {
    return this.#layout;
  }

  /** Swaps each tensor that needs it for a converted copy; parameters stay trainable leaves. */
  #replaceTensors(needs: (t: Tensor) => boolean, convert: (t: Tensor) => Tensor): this {
    noGrad(() => {
      for (const [, module] of this.namedModules()) {
        for (const [name, tensor] of module.#parameters) {
          if (!needs(tensor)) continue;
          const converted = keep(convert(tensor)).requiresGrad_(true);
          tensor.dispose();
          module.#parameters.set(name, converted);
        }
        for (const [name, entry] of module.#buffers) {
          if (!needs(entry.tensor)) continue;
          const converted = keep(convert(entry.tensor));
          entry.tensor.dispose();
          module.#buffers.set(name, { ...entry, tensor: converted });
        }
      }
    });
    return this;
  }

  /** Drops every parameter's gradient (PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const tensor of this.parameters()) tensor.grad = null;
  }

  /** Frees every parameter and buffer of this module and its children. */
  dispose(): void {
    for (const [, module] of this.namedModules()) {
      for (const tensor of module.#parameters.values()) tensor.dispose();
      for (const entry of module.#buffers.values()) entry.tensor.dispose();
    }
  }

  /** Applies the module; a shorthand for forward, as PyTorch's `module(x)`. */
  call(input: Tensor): Tensor {
    return this.forward(input);
  }
}

const join = (path: string, name: string): string => (path === "" ? name : `${path}.${name}`);

const sameShape = (a: readonly number[], b: readonly number[]): boolean =>
  a.length === b.length && a.every((dim, i) => dim === b[i]);

function describeKeys(kind: string, keys: string[]): string {
  if (keys.length === 0) return "";
  const shown = keys.slice(0, 5).join(", ");
  return `${keys.length} ${kind} key(s): ${shown}${keys.length > 5 ? ", …" : ""}`;
}

/**
 * How toMemoryFormat treats a 4-D tensor whose strides already satisfy the layout because a
 * dimension is 1 (a first convolution's weight [out, 1, k, k], a 1×1 kernel): "canonical"
 * gives it the layout's own strides, as PyTorch's `Module.to(memory_format=...)` does, and
 * oneDNN then answers in that layout (SmallCNN's first convolution on Fashion-MNIST: 1.3 ms
 * rather than 3–4 ms, and no copy after it); "kept" leaves it as it is, as runs recorded
 * before `layoutStrides` did. The two give other kernels, so other bits.
 */
export type LayoutStrides = "canonical" | "kept";

function hasCanonicalStrides(t: Tensor, format: ModelMemoryFormat): boolean {
  const [, c, h, w] = t.shape as [number, number, number, number];
  const expected = format === "channels_last" ? [h * w * c, 1, w * c, c] : [c * h * w, h * w, w, 1];
  const strides = t.strides;
  return expected.every((s, i) => strides[i] === s);
}

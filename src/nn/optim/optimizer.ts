/**
 * The optimizer base: a parameter list, a learning rate a schedule may change, and per-parameter
 * state tensors it owns (kept out of scopes, freed by dispose()). Subclasses are thin: each
 * step calls a pure update function (adam.ts, sgd.ts) per parameter that has a gradient.
 */
import { keep, noGrad, type Tensor, tidy } from "../../engine/index.js";

/**
 * What resuming needs, flattened as PyTorch's optimizer.state_dict() nests it: tensors named
 * `state.{index}.{name}` (index = position in the parameter list) and numbers named
 * `state.{index}.step` or `param_groups.0.{hyperparameter}`.
 */
export interface OptimizerState {
  tensors: Map<string, Tensor>;
  numbers: Record<string, number>;
}

export abstract class Optimizer {
  readonly params: readonly Tensor[];
  /** The current learning rate; schedules set it before each epoch or step. */
  lr: number;
  /** Per-parameter state tensors by parameter index, then by PyTorch's name. */
  protected readonly state = new Map<number, Map<string, Tensor>>();
  protected readonly steps = new Map<number, number>();

  constructor(params: readonly Tensor[], lr: number) {
    if (params.length === 0) throw new Error(`${this.constructor.name}: no parameters to optimize`);
    if (!(lr >= 0)) throw new RangeError(`${this.constructor.name}: lr must be >= 0, got ${lr}`);
    this.params = [...params];
    this.lr = lr;
  }

  /** Hyperparameters as saved in `param_groups.0.*` (lr included). */
  protected abstract hyperparameters(): Record<string, number>;
  protected abstract setHyperparameters(values: Record<string, number>): void;
  /** Updates one parameter from its gradient, in place; called under noGrad and a scope. */
  protected abstract updateParameter(index: number, param: Tensor, grad: Tensor): void;

  /** One update of every parameter that has a gradient (those without are skipped). */
  step(): void {
    noGrad(() => {
      this.params.forEach((param, index) => {
        tidy(() => {
          const grad = param.grad;
          if (grad !== null) this.updateParameter(index, param, grad);
        });
      });
    });
  }

  /** Drops every gradient (PyTorch's zero_grad(set_to_none=True)). */
  zeroGrad(): void {
    for (const param of this.params) param.grad = null;
  }

  /** A state tensor, or null before the first step; the optimizer keeps ownership. */
  protected stateTensor(index: number, name: string): Tensor | null {
    return this.state.get(index)?.get(name) ?? null;
  }

  /** Stores a state tensor (made inside a step's scope) and takes ownership of it. */
  protected setStateTensor(index: number, name: string, tensor: Tensor): void {
    let named = this.state.get(index);
    if (named === undefined) {
      named = new Map();
      this.state.set(index, named);
    }
    const previous = named.get(name);
    if (previous !== undefined && previous !== tensor) previous.dispose();
    named.set(name, keep(tensor));
  }

  /** The optimizer's own tensors (not copies) and numbers; see OptimizerState. */
  stateDict(): OptimizerState {
    const tensors = new Map<string, Tensor>();
    const numbers: Record<string, number> = {};
    for (const [index, named] of this.state) {
      for (const [name, tensor] of named) tensors.set(`state.${index}.${name}`, tensor);
    }
    for (const [index, step] of this.steps) numbers[`state.${index}.step`] = step;
    for (const [name, value] of Object.entries(this.hyperparameters())) {
      numbers[`param_groups.0.${name}`] = value;
    }
    return { tensors, numbers };
  }

  /** Replaces all state with copies of the given state (tensors are cloned, layout kept). */
  loadStateDict(saved: OptimizerState): void {
    this.disposeState();
    for (const [key, tensor] of saved.tensors) {
      const { index, name } = parseStateKey(key);
      this.#checkIndex(index, key);
      const param = this.params[index]!;
      if (tensor.shape.join() !== param.shape.join()) {
        throw new Error(
          `${this.constructor.name}.loadStateDict: '${key}' has shape [${tensor.shape}], parameter ${index} has [${param.shape}]`,
        );
      }
      // Keep the parameter's memory layout, as the state was made like the parameter.
      const copy = tidy(() => noGrad(() => param.detach().clone("preserve").copy_(tensor)));
      this.setStateTensor(index, name, copy);
    }
    const hyper: Record<string, number> = {};
    for (const [key, value] of Object.entries(saved.numbers)) {
      if (key.startsWith("param_groups.0.")) {
        hyper[key.slice("param_groups.0.".length)] = value;
        continue;
      }
      const { index, name } = parseStateKey(key);
      this.#checkIndex(index, key);
      if (name !== "step")
        throw new Error(`${this.constructor.name}.loadStateDict: unknown entry '${key}'`);
      this.steps.set(index, value);
    }
    this.setHyperparameters(hyper);
  }

  #checkIndex(index: number, key: string): void {
    if (index >= this.params.length) {
      throw new Error(
        `${this.constructor.name}.loadStateDict: '${key}' names parameter ${index}, but there are ${this.params.length}`,
      );
    }
  }

  private disposeState(): void {
    for (const named of this.state.values()) for (const tensor of named.values()) tensor.dispose();
    this.state.clear();
    this.steps.clear();
  }

  /** Frees the state tensors (the parameters belong to the model). */
  dispose(): void {
    this.disposeState();
  }
}

function parseStateKey(key: string): { index: number; name: string } {
  const match = /^state\.(\d+)\.(.+)$/.exec(key);
  if (match === null) throw new Error(`optimizer state: malformed key '${key}'`);
  return { index: Number(match[1]), name: match[2]! };
}

/** Reads a hyperparameter from a saved state, or keeps the current value when absent. */
export function savedOr(values: Record<string, number>, name: string, current: number): number {
  const value = values[name];
  return value === undefined ? current : value;
}

/**
 * Memory is managed by scopes, never by the garbage collector: libtorch tensors hold native
 * memory the JS heap cannot see, so waiting for GC lets it pile up (and halves training speed).
 *
 * Every tensor made while a scope is active belongs to the innermost scope, and is freed when
 * that scope ends unless it is returned from it or kept. Scopes are synchronous closures
 * (`tidy`) or explicit objects (`Scope`); a scope never spans an `await`.
 */

/** Marks the objects scopes manage; checked with `in`, which never runs user getters. */
export const scoped: unique symbol = Symbol("nnr.scoped");

/** What a scope needs of a tensor: this keeps scope.ts free of the Tensor class. */
export interface Disposable {
  readonly [scoped]: true;
  dispose(): void;
  readonly isDisposed: boolean;
}

const active: Scope[] = [];

export class Scope {
  private readonly owned = new Set<Disposable>();
  private ended = false;

  /** Runs fn with this scope active: tensors made inside belong to this scope. */
  run<T>(fn: () => T): T {
    if (this.ended) throw new Error("Scope.run: the scope was already disposed");
    active.push(this);
    try {
      const result = fn();
      if (result instanceof Promise) {
        throw new Error(
          "a scope cannot span an await: make the callback synchronous, or use an explicit Scope per step",
        );
      }
      return result;
    } finally {
      active.pop();
    }
  }

  /** Takes ownership of a tensor (it is freed with this scope). */
  adopt(tensor: Disposable): void {
    this.owned.add(tensor);
  }

  /** Gives up ownership: the tensor outlives this scope. */
  release(tensor: Disposable): void {
    this.owned.delete(tensor);
  }

  owns(tensor: Disposable): boolean {
    return this.owned.has(tensor);
  }

  get size(): number {
    return this.owned.size;
  }

  /** Frees every tensor this scope still owns. */
  dispose(): void {
    for (const tensor of this.owned) tensor.dispose();
    this.owned.clear();
    this.ended = true;
  }
}

/** Called for every new tensor: the innermost active scope takes it. */
export function trackTensor(tensor: Disposable): void {
  active[active.length - 1]?.adopt(tensor);
}

/** Removes a tensor from every active scope, so only an explicit dispose() frees it. */
export function keep<T extends Disposable>(tensor: T): T {
  for (const scope of active) scope.release(tensor);
  return tensor;
}

/** Values a tidy callback may return; the tensors inside survive the scope. */
export type TensorContainer =
  // biome-ignore lint/suspicious/noConfusingVoidType: callbacks that return nothing are typed void
  | void
  | undefined
  | null
  | number
  | string
  | boolean
  | Disposable
  | ArrayBufferView
  | readonly TensorContainer[]
  | { readonly [key: string]: TensorContainer };

function collect(value: unknown, into: Set<Disposable>, seen: Set<unknown>): void {
  if (value === null || typeof value !== "object" || seen.has(value)) return;
  seen.add(value);
  if (isDisposable(value)) {
    into.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) collect(item, into, seen);
    return;
  }
  if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) collect(item, into, seen);
  }
}

function isDisposable(value: object): value is Disposable {
  return scoped in value;
}

/**
 * Runs fn in a new scope (like tf.tidy): every tensor made inside is freed at the end, except
 * those in the returned value, which move to the enclosing scope.
 */
export function tidy<T extends TensorContainer>(fn: () => T): T {
  const scope = new Scope();
  let result: T;
  try {
    result = scope.run(fn);
  } catch (error) {
    scope.dispose();
    throw error;
  }
  const survivors = new Set<Disposable>();
  collect(result, survivors, new Set());
  for (const tensor of survivors) {
    if (scope.owns(tensor)) {
      scope.release(tensor);
      trackTensor(tensor);
    }
  }
  scope.dispose();
  return result;
}

/** Number of scopes currently active (for tests and diagnostics). */
export function scopeDepth(): number {
  return active.length;
}

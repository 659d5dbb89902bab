import { type DType, type TypedArray, viewAs } from "./dtype.js";
import { type MemoryFormat, native, type TensorHandle } from "./native.js";
import { type Disposable, scoped, trackTensor } from "./scope.js";

type Operand = Tensor | number;
const dimsOrNull = (dims: number | readonly number[] | undefined): number[] | null =>
  dims === undefined ? null : typeof dims === "number" ? [dims] : [...dims];

/**
 * The safety net for tensors nobody disposed: when one is garbage-collected, its native memory
 * is freed. Scopes and dispose() are the way; this only bounds the damage of a forgotten one.
 */
const collected = new FinalizationRegistry<TensorHandle>((handle) => {
  native.dispose(handle);
});

/**
 * A handle to a libtorch tensor. Free it with dispose(), or let a scope (tidy) free it.
 * Method names follow PyTorch's, in camelCase; in-place methods end in `_` and return this.
 */
export class Tensor implements Disposable {
  readonly [scoped] = true as const;
  #handle: TensorHandle | null;
  #shape: readonly number[] | undefined;

  private constructor(handle: TensorHandle) {
    this.#handle = handle;
  }

  /** Wraps a native handle; the innermost active scope takes ownership. */
  static wrap(handle: TensorHandle): Tensor {
    const tensor = new Tensor(handle);
    collected.register(tensor, handle, tensor);
    trackTensor(tensor);
    return tensor;
  }

  get handle(): TensorHandle {
    if (this.#handle === null) throw new Error("this tensor was disposed");
    return this.#handle;
  }

  get isDisposed(): boolean {
    return this.#handle === null;
  }

  dispose(): void {
    if (this.#handle === null) return;
    collected.unregister(this);
    native.dispose(this.#handle);
    this.#handle = null;
  }

  // ---- metadata and readback ----
  get shape(): readonly number[] {
    this.#shape ??= Object.freeze(native.shape(this.handle));
    return this.#shape;
  }
  get ndim(): number {
    return this.shape.length;
  }
  /** Number of elements. */
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  get dtype(): DType {
    return native.dtype(this.handle);
  }
  get device(): string {
    return native.device(this.handle);
  }
  get strides(): number[] {
    return native.strides(this.handle);
  }
  /** The elements in row-major order, copied to a typed array matching the dtype. */
  dataSync(): TypedArray {
    return viewAs(native.toArrayBuffer(this.handle), this.dtype);
  }
  /** The elements as plain numbers (int64 converted; exact below 2^53). */
  toArray(): number[] {
    const data = this.dataSync();
    return data instanceof BigInt64Array ? Array.from(data, Number) : Array.from(data);
  }
  item(): number {
    return Number(native.item(this.handle));
  }

  // ---- arithmetic and comparison (broadcasting; a number acts as a scalar) ----
  add(other: Operand): Tensor {
    return binary(this, other, native.add, native.addScalar);
  }
  sub(other: Operand): Tensor {
    return binary(this, other, native.sub, native.subScalar);
  }
  mul(other: Operand): Tensor {
    return binary(this, other, native.mul, native.mulScalar);
  }
  div(other: Operand): Tensor {
    return binary(this, other, native.div, native.divScalar);
  }
  pow(other: Operand): Tensor {
    return binary(this, other, native.pow, native.powScalar);
  }
  remainder(other: Operand): Tensor {
    return binary(this, other, native.remainder, native.remainderScalar);
  }
  eq(other: Operand): Tensor {
    return binary(this, other, native.eq, native.eqScalar);
  }
  ne(other: Operand): Tensor {
    return binary(this, other, native.ne, native.neScalar);
  }
  lt(other: Operand): Tensor {
    return binary(this, other, native.lt, native.ltScalar);
  }
  le(other: Operand): Tensor {
    return binary(this, other, native.le, native.leScalar);
  }
  gt(other: Operand): Tensor {
    return binary(this, other, native.gt, native.gtScalar);
  }
  ge(other: Operand): Tensor {
    return binary(this, other, native.ge, native.geScalar);
  }
  maximum(other: Tensor): Tensor {
    return Tensor.wrap(native.maximum(this.handle, other.handle));
  }
  minimum(other: Tensor): Tensor {
    return Tensor.wrap(native.minimum(this.handle, other.handle));
  }
  logicalAnd(other: Tensor): Tensor {
    return Tensor.wrap(native.logicalAnd(this.handle, other.handle));
  }
  logicalOr(other: Tensor): Tensor {
    return Tensor.wrap(native.logicalOr(this.handle, other.handle));
  }
  neg(): Tensor {
    return Tensor.wrap(native.neg(this.handle));
  }
  abs(): Tensor {
    return Tensor.wrap(native.abs(this.handle));
  }
  exp(): Tensor {
    return Tensor.wrap(native.exp(this.handle));
  }
  log(): Tensor {
    return Tensor.wrap(native.log(this.handle));
  }
  log1p(): Tensor {
    return Tensor.wrap(native.log1p(this.handle));
  }
  sqrt(): Tensor {
    return Tensor.wrap(native.sqrt(this.handle));
  }
  rsqrt(): Tensor {
    return Tensor.wrap(native.rsqrt(this.handle));
  }
  square(): Tensor {
    return Tensor.wrap(native.square(this.handle));
  }
  reciprocal(): Tensor {
    return Tensor.wrap(native.reciprocal(this.handle));
  }
  sign(): Tensor {
    return Tensor.wrap(native.sign(this.handle));
  }
  floor(): Tensor {
    return Tensor.wrap(native.floor(this.handle));
  }
  ceil(): Tensor {
    return Tensor.wrap(native.ceil(this.handle));
  }
  round(): Tensor {
    return Tensor.wrap(native.round(this.handle));
  }
  tanh(): Tensor {
    return Tensor.wrap(native.tanh(this.handle));
  }
  relu(): Tensor {
    return Tensor.wrap(native.relu(this.handle));
  }
  sigmoid(): Tensor {
    return Tensor.wrap(native.sigmoid(this.handle));
  }
  logicalNot(): Tensor {
    return Tensor.wrap(native.logicalNot(this.handle));
  }
  isNan(): Tensor {
    return Tensor.wrap(native.isNan(this.handle));
  }
  isFinite(): Tensor {
    return Tensor.wrap(native.isFinite(this.handle));
  }
  clamp(min: number | null, max: number | null = null): Tensor {
    return Tensor.wrap(native.clamp(this.handle, min, max));
  }
  matmul(other: Tensor): Tensor {
    return Tensor.wrap(native.matmul(this.handle, other.handle));
  }
  /** True when shapes and every element are equal. */
  equal(other: Tensor): boolean {
    return native.equal(this.handle, other.handle);
  }

  // ---- reductions: dims omitted means all elements ----
  sum(dims?: number | readonly number[], keepdim = false): Tensor {
    return Tensor.wrap(native.sum(this.handle, dimsOrNull(dims), keepdim));
  }
  mean(dims?: number | readonly number[], keepdim = false): Tensor {
    return Tensor.wrap(native.mean(this.handle, dimsOrNull(dims), keepdim));
  }
  /** Variance; unbiased (Bessel's correction) by default, as PyTorch. */
  var(
    dims?: number | readonly number[],
    options: { unbiased?: boolean; keepdim?: boolean } = {},
  ): Tensor {
    return Tensor.wrap(
      native.var(this.handle, dimsOrNull(dims), options.unbiased ?? true, options.keepdim ?? false),
    );
  }
  std(
    dims?: number | readonly number[],
    options: { unbiased?: boolean; keepdim?: boolean } = {},
  ): Tensor {
    return Tensor.wrap(
      native.std(this.handle, dimsOrNull(dims), options.unbiased ?? true, options.keepdim ?? false),
    );
  }
  /** Maximum values (over all elements, or over dims). */
  max(dims?: number | readonly number[], keepdim = false): Tensor {
    return Tensor.wrap(native.amax(this.handle, dimsOrNull(dims), keepdim));
  }
  min(dims?: number | readonly number[], keepdim = false): Tensor {
    return Tensor.wrap(native.amin(this.handle, dimsOrNull(dims), keepdim));
  }
  /** Values and indices of the maximum along one dim. */
  maxWithIndices(dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
    const [values, indices] = native.maxDim(this.handle, dim, keepdim);
    return { values: Tensor.wrap(values), indices: Tensor.wrap(indices) };
  }
  minWithIndices(dim: number, keepdim = false): { values: Tensor; indices: Tensor } {
    const [values, indices] = native.minDim(this.handle, dim, keepdim);
    return { values: Tensor.wrap(values), indices: Tensor.wrap(indices) };
  }
  argmax(dim?: number, keepdim = false): Tensor {
    return Tensor.wrap(native.argmax(this.handle, dim ?? null, keepdim));
  }
  argmin(dim?: number, keepdim = false): Tensor {
    return Tensor.wrap(native.argmin(this.handle, dim ?? null, keepdim));
  }
  all(dim?: number, keepdim = false): Tensor {
    return Tensor.wrap(native.all(this.handle, dim ?? null, keepdim));
  }
  any(dim?: number, keepdim = false): Tensor {
    return Tensor.wrap(native.any(this.handle, dim ?? null, keepdim));
  }
  logsumexp(dims: number | readonly number[], keepdim = false): Tensor {
    return Tensor.wrap(native.logsumexp(this.handle, dimsOrNull(dims)!, keepdim));
  }

  // ---- shape and layout ----
  reshape(shape: readonly number[]): Tensor {
    return Tensor.wrap(native.reshape(this.handle, [...shape]));
  }
  view(shape: readonly number[]): Tensor {
    return Tensor.wrap(native.view(this.handle, [...shape]));
  }
  permute(dims: readonly number[]): Tensor {
    return Tensor.wrap(native.permute(this.handle, [...dims]));
  }
  expand(shape: readonly number[]): Tensor {
    return Tensor.wrap(native.expand(this.handle, [...shape]));
  }
  flip(dims: readonly number[]): Tensor {
    return Tensor.wrap(native.flip(this.handle, [...dims]));
  }
  transpose(dim0: number, dim1: number): Tensor {
    return Tensor.wrap(native.transpose(this.handle, dim0, dim1));
  }
  flatten(startDim = 0, endDim = -1): Tensor {
    return Tensor.wrap(native.flatten(this.handle, startDim, endDim));
  }
  squeeze(dim?: number): Tensor {
    return Tensor.wrap(native.squeeze(this.handle, dim ?? null));
  }
  unsqueeze(dim: number): Tensor {
    return Tensor.wrap(native.unsqueeze(this.handle, dim));
  }
  /** Python's t[start:end:step] along dim (a view). */
  slice(dim: number, start: number, end: number, step = 1): Tensor {
    return Tensor.wrap(native.slice(this.handle, dim, start, end, step));
  }
  narrow(dim: number, start: number, length: number): Tensor {
    return Tensor.wrap(native.narrow(this.handle, dim, start, length));
  }
  indexSelect(dim: number, index: Tensor): Tensor {
    return Tensor.wrap(native.indexSelect(this.handle, dim, index.handle));
  }
  gather(dim: number, index: Tensor): Tensor {
    return Tensor.wrap(native.gather(this.handle, dim, index.handle));
  }
  maskedFill(mask: Tensor, value: number): Tensor {
    return Tensor.wrap(native.maskedFill(this.handle, mask.handle, value));
  }
  contiguous(format: MemoryFormat = "contiguous"): Tensor {
    return Tensor.wrap(native.contiguous(this.handle, format));
  }
  isContiguous(format: MemoryFormat = "contiguous"): boolean {
    return native.isContiguous(this.handle, format);
  }
  clone(format: MemoryFormat = "preserve"): Tensor {
    return Tensor.wrap(native.clone(this.handle, format));
  }
  /** Converts dtype and/or moves to a device ("cpu", "cuda", "cuda:1"). */
  to(options: { dtype?: DType; device?: string }): Tensor {
    return Tensor.wrap(native.to(this.handle, options.dtype ?? null, options.device ?? null));
  }
  float(): Tensor {
    return this.to({ dtype: "float32" });
  }
  long(): Tensor {
    return this.to({ dtype: "int64" });
  }

  // ---- autograd ----
  get requiresGrad(): boolean {
    return native.requiresGrad(this.handle);
  }
  requiresGrad_(requiresGrad = true): this {
    native.setRequiresGrad(this.handle, requiresGrad);
    return this;
  }
  get isLeaf(): boolean {
    return native.isLeaf(this.handle);
  }
  /** The accumulated gradient (a new handle owned by the current scope), or null. */
  get grad(): Tensor | null {
    const grad = native.grad(this.handle);
    return grad === null ? null : Tensor.wrap(grad);
  }
  set grad(gradient: Tensor | null) {
    native.setGrad(this.handle, gradient === null ? null : gradient.handle);
  }
  backward(gradient?: Tensor, options: { retainGraph?: boolean } = {}): void {
    native.backward(this.handle, gradient?.handle ?? null, options.retainGraph ?? false);
  }
  detach(): Tensor {
    return Tensor.wrap(native.detach(this.handle));
  }

  // ---- in place (what optimizers need; run them under noGrad for parameters) ----
  add_(other: Operand, alpha?: number): this {
    if (typeof other === "number") native.addScalar_(this.handle, other, alpha ?? null);
    else native.add_(this.handle, other.handle, alpha ?? null);
    return this;
  }
  sub_(other: Operand, alpha?: number): this {
    if (typeof other === "number") native.subScalar_(this.handle, other, alpha ?? null);
    else native.sub_(this.handle, other.handle, alpha ?? null);
    return this;
  }
  mul_(other: Operand): this {
    if (typeof other === "number") native.mulScalar_(this.handle, other);
    else native.mul_(this.handle, other.handle);
    return this;
  }
  div_(other: Operand): this {
    if (typeof other === "number") native.divScalar_(this.handle, other);
    else native.div_(this.handle, other.handle);
    return this;
  }
  addcmul_(t1: Tensor, t2: Tensor, value = 1): this {
    native.addcmul_(this.handle, t1.handle, t2.handle, value);
    return this;
  }
  addcdiv_(t1: Tensor, t2: Tensor, value = 1): this {
    native.addcdiv_(this.handle, t1.handle, t2.handle, value);
    return this;
  }
  lerp_(end: Tensor, weight: number): this {
    native.lerp_(this.handle, end.handle, weight);
    return this;
  }
  maximum_(other: Tensor): this {
    native.maximum_(this.handle, other.handle);
    return this;
  }
  sqrt_(): this {
    native.sqrt_(this.handle);
    return this;
  }
  clamp_(min: number | null, max: number | null = null): this {
    native.clamp_(this.handle, min, max);
    return this;
  }
  copy_(source: Tensor): this {
    native.copy_(this.handle, source.handle);
    return this;
  }
  zero_(): this {
    native.zero_(this.handle);
    return this;
  }
  fill_(value: number): this {
    native.fill_(this.handle, value);
    return this;
  }

  toString(): string {
    return this.isDisposed
      ? "Tensor(disposed)"
      : `Tensor(shape=[${this.shape.join(", ")}], dtype=${this.dtype}, device=${this.device})`;
  }
}

/**
 * A binary op whose right side is a tensor or a number: libtorch has an overload for each
 * (a number is a Scalar, as PyTorch takes a Python number), and the addon exports both.
 */
function binary(
  self: Tensor,
  other: Operand,
  withTensor: (input: TensorHandle, other: TensorHandle) => TensorHandle,
  withScalar: (input: TensorHandle, other: number) => TensorHandle,
): Tensor {
  return Tensor.wrap(
    typeof other === "number"
      ? withScalar(self.handle, other)
      : withTensor(self.handle, other.handle),
  );
}

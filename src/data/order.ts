/**
 * The order in which examples are visited, epoch after epoch.
 *
 * Two shuffles, because they mean different things by "input order":
 * - `permutation`: each epoch is a uniformly random permutation of the whole dataset.
 * - `buffer`: TensorFlow's `Dataset.shuffle(K)`. The examples stream in file order through
 *   a buffer of K slots; each output is a uniformly random slot, refilled with the next
 *   example from the stream. With K much smaller than the dataset, an example's output
 *   position stays near its file position, and the first batches of an epoch only hold
 *   examples from the start of the file. The original code used K = 1024 (SmallCNN),
 *   10000 (ResNet18 CIFAR) and 1000 (CelebA). The buffer is refilled from the start of the
 *   file each epoch; the generator carries on, so every epoch has a new order.
 * - `none`: file order, for evaluation.
 */
import { UserError } from "../errors.js";
import { type RandomStream, type RandomStreamState, shuffleInPlace } from "../random/stream.js";

export type ShuffleSpec =
  | { kind: "none" }
  | { kind: "permutation" }
  | { kind: "buffer"; size: number };

/** Where the order stands between two batches; JSON-safe. */
export type OrderState =
  | { kind: "none"; epoch: number; position: number }
  | {
      kind: "permutation";
      epoch: number;
      position: number;
      /** Generator state before this epoch's permutation was drawn: the permutation is redrawn on restore. */
      rngAtEpochStart: RandomStreamState;
    }
  | {
      kind: "buffer";
      epoch: number;
      position: number;
      /** Next file-order example to enter the buffer. */
      inputCursor: number;
      buffer: number[];
      rng: RandomStreamState;
    };

export interface PlannedIndices {
  epoch: number;
  batchInEpoch: number;
  indices: Int32Array;
}

export class ExampleOrder {
  private epoch = 0;
  private position = 0;
  private readonly perEpoch: number;
  private permutation: Int32Array | undefined;
  private rngAtEpochStart: RandomStreamState | undefined;
  private buffer: number[] = [];
  private inputCursor = 0;

  constructor(
    private readonly length: number,
    private readonly spec: ShuffleSpec,
    private readonly batchSize: number,
    dropRemainder: boolean,
    private readonly rng: RandomStream,
  ) {
    if (spec.kind === "buffer" && (!Number.isInteger(spec.size) || spec.size < 1)) {
      throw new UserError(`shuffle buffer size must be a positive integer, got ${spec.size}`);
    }
    this.perEpoch = dropRemainder ? Math.floor(length / batchSize) * batchSize : length;
    if (this.perEpoch === 0) {
      throw new UserError(
        `the dataset has ${length} examples, fewer than one batch of ${batchSize} with drop-remainder on; use a smaller batch size`,
      );
    }
    this.beginEpoch();
  }

  get batchesPerEpoch(): number {
    return Math.ceil(this.perEpoch / this.batchSize);
  }

  /** The epoch the next batch will belong to. */
  get nextEpoch(): number {
    return this.position >= this.perEpoch ? this.epoch + 1 : this.epoch;
  }

  takeBatch(): PlannedIndices {
    if (this.position >= this.perEpoch) {
      this.epoch += 1;
      this.beginEpoch();
    }
    const count = Math.min(this.batchSize, this.perEpoch - this.position);
    const batchInEpoch = this.position / this.batchSize;
    const indices = new Int32Array(count);
    for (let i = 0; i < count; i++) {
      indices[i] = this.nextIndex();
      this.position += 1;
    }
    return { epoch: this.epoch, batchInEpoch, indices };
  }

  state(): OrderState {
    const { epoch, position } = this;
    if (this.spec.kind === "none") return { kind: "none", epoch, position };
    if (this.spec.kind === "permutation") {
      return { kind: "permutation", epoch, position, rngAtEpochStart: this.rngAtEpochStart! };
    }
    return {
      kind: "buffer",
      epoch,
      position,
      inputCursor: this.inputCursor,
      buffer: [...this.buffer],
      rng: this.rng.getState(),
    };
  }

  restore(state: OrderState): void {
    if (state.kind !== this.spec.kind) {
      throw new UserError(
        `resume state uses shuffle "${state.kind}" but this run uses "${this.spec.kind}"`,
      );
    }
    const atBatchStart = state.position % this.batchSize === 0 || state.position === this.perEpoch;
    if (state.position > this.perEpoch || !atBatchStart) {
      throw new UserError(
        `resume state position ${state.position} does not fit this dataset and batch size`,
      );
    }
    if (state.kind === "permutation") {
      this.rng.setState(state.rngAtEpochStart);
      this.beginEpoch();
    } else if (state.kind === "buffer") {
      this.buffer = [...state.buffer];
      this.inputCursor = state.inputCursor;
      this.rng.setState(state.rng);
    }
    this.epoch = state.epoch;
    this.position = state.position;
  }

  private beginEpoch(): void {
    this.position = 0;
    if (this.spec.kind === "permutation") {
      this.rngAtEpochStart = this.rng.getState();
      const order = new Int32Array(this.length);
      for (let i = 0; i < order.length; i++) order[i] = i;
      shuffleInPlace(order, this.rng);
      this.permutation = order;
    } else if (this.spec.kind === "buffer") {
      this.buffer = [];
      this.inputCursor = 0;
    }
  }

  private nextIndex(): number {
    const at = this.position;
    if (this.spec.kind === "none") return at;
    if (this.spec.kind === "permutation") return this.permutation![at]!;
    // Keep the buffer full while the stream lasts, then drain it.
    while (this.buffer.length < this.spec.size && this.inputCursor < this.length) {
      this.buffer.push(this.inputCursor++);
    }
    const slot = this.rng.nextInt(this.buffer.length);
    const chosen = this.buffer[slot]!;
    if (this.inputCursor < this.length) {
      this.buffer[slot] = this.inputCursor++;
    } else {
      this.buffer[slot] = this.buffer[this.buffer.length - 1]!;
      this.buffer.pop();
    }
    return chosen;
  }
}

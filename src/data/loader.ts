/**
 * The data loader: shuffles, augments and batches a dataset under a run's input seed.
 *
 * Every random choice is made while a batch is *planned*, in batch order, from two named
 * generators derived from the input seed: `shuffle` (the example order) and `augment`
 * (crop offsets, flips). Planning is synchronous and strictly sequential; only the pixel
 * work (decoding, transforms) happens ahead of time. So prefetching, and how far ahead it
 * runs, can never change which bytes a batch holds.
 */
import { UserError } from "../errors.js";
import { deriveSeed, RandomStream, type RandomStreamState } from "../random/stream.js";
import { BatchAssembler, type BatchPlan, slicePlan } from "./batch-assembly.js";
import type { BatchSlice } from "./batch-split.js";
import { ExampleOrder, type OrderState, type ShuffleSpec } from "./order.js";
import { compilePipeline, drawExample, type Pipeline, type TransformSpec } from "./transforms.js";
import type { Batch, Dataset, ImageShape } from "./types.js";
import { refuseImageTransforms } from "./vectors.js";

export interface LoaderOptions {
  batchSize: number;
  shuffle: ShuffleSpec;
  /** The run's input seed: the source of the `shuffle` and `augment` generators. */
  inputSeed: number;
  /** Drop the last, short batch of each epoch. Default false, as in `tf.data`'s batch(). */
  dropRemainder?: boolean;
  /** Applied in order to each stored image; default `[{ op: "scale" }]`. */
  transforms?: TransformSpec[];
  /** Batches prepared ahead of the one being consumed; 0 turns look-ahead off. Default 2. */
  prefetch?: number;
  /**
   * A data-parallel rank's share: every batch is planned whole (the same order and
   * augmentation draws at any world size), and only this rank's contiguous slice is decoded,
   * transformed and returned. Absent: whole batches.
   */
  slice?: BatchSlice;
}

/** Everything needed to continue exactly where a loader stopped; JSON-safe. */
export interface LoaderState {
  format: "nnr-loader/1";
  datasetLength: number;
  batchSize: number;
  dropRemainder: boolean;
  shuffle: ShuffleSpec;
  inputSeed: number;
  order: OrderState;
  augmentRng: RandomStreamState;
}

/** What a run records about its input pipeline. */
export interface LoaderRecord {
  dataset: {
    name: string;
    split: string;
    length: number;
    shape: ImageShape;
    /** "vectors" for N×D data (shape 1×1×D); absent for images. */
    examples?: "vectors";
    source: Dataset["source"];
  };
  batchSize: number;
  dropRemainder: boolean;
  shuffle: ShuffleSpec;
  transforms: TransformSpec[];
  outputShape: ImageShape;
  inputSeed: number;
  /** The 64-bit seeds of the named generators, hex, derived from the input seed. */
  generators: { shuffle: string; augment: string };
  batchesPerEpoch: number;
}

/** What a run records about a dataset it reads (its train loader's, and its test split). */
export function datasetRecord(dataset: Dataset): LoaderRecord["dataset"] {
  return {
    name: dataset.name,
    split: dataset.split,
    length: dataset.length,
    shape: dataset.shape,
    ...(dataset.examples === undefined ? {} : { examples: dataset.examples }),
    source: dataset.source,
  };
}

interface Pending {
  plan: BatchPlan;
  batch: Promise<Batch>;
  stateAfter: LoaderState;
}

export class DataLoader {
  private readonly order: ExampleOrder;
  private readonly augmentRng: RandomStream;
  private readonly pipeline: Pipeline;
  private readonly assembler: BatchAssembler;
  private readonly prefetch: number;
  private readonly dropRemainder: boolean;
  private readonly queue: Pending[] = [];
  private consumedState: LoaderState;

  constructor(
    private readonly dataset: Dataset,
    private readonly options: LoaderOptions,
    resumeFrom?: LoaderState,
  ) {
    const { batchSize, inputSeed } = options;
    if (!Number.isInteger(batchSize) || batchSize < 1) {
      throw new UserError(`batch size must be a positive integer, got ${batchSize}`);
    }
    const slice = options.slice;
    if (
      slice !== undefined &&
      !(Number.isInteger(slice.rank) && slice.rank >= 0 && slice.rank < slice.worldSize)
    ) {
      throw new Error(`rank ${slice.rank} is not in 0..${slice.worldSize - 1}`);
    }
    this.dropRemainder = options.dropRemainder ?? false;
    this.prefetch = options.prefetch ?? 2;
    refuseImageTransforms(dataset, options.transforms ?? []);
    this.pipeline = compilePipeline(
      options.transforms ?? [{ op: "scale" }],
      dataset.shape,
      dataset.valueScale ?? 255,
    );
    this.assembler = new BatchAssembler(this.pipeline, {
      kind: dataset.kind,
      labels: dataset.labels,
      classCount: dataset.classNames.length,
    });
    const shuffleRng = RandomStream.named(inputSeed, "shuffle");
    this.augmentRng = RandomStream.named(inputSeed, "augment");
    this.order = new ExampleOrder(
      dataset.length,
      options.shuffle,
      batchSize,
      this.dropRemainder,
      shuffleRng,
    );
    if (resumeFrom !== undefined) this.restore(resumeFrom);
    this.consumedState = this.plannerState();
  }

  get batchesPerEpoch(): number {
    return this.order.batchesPerEpoch;
  }

  get outputShape(): ImageShape {
    return this.pipeline.outShape;
  }

  /** The epoch the next batch from `next()` belongs to. */
  get upcomingEpoch(): number {
    return this.queue[0]?.plan.epoch ?? this.order.nextEpoch;
  }

  /** The next batch; the stream runs on across epochs (see `batch.epoch`). */
  async next(): Promise<Batch> {
    if (this.queue.length === 0) this.enqueue();
    const head = this.queue.shift()!;
    while (this.queue.length < this.prefetch) this.enqueue();
    const batch = await head.batch;
    this.consumedState = head.stateAfter;
    return batch;
  }

  /** The remaining batches of the current epoch. */
  async *epochBatches(): AsyncGenerator<Batch> {
    const epoch = this.upcomingEpoch;
    while (this.upcomingEpoch === epoch) yield await this.next();
  }

  /** The state after the last batch `next()` returned: restoring it continues from there. */
  state(): LoaderState {
    return structuredClone(this.consumedState);
  }

  describe(): LoaderRecord {
    const { dataset, options } = this;
    return {
      dataset: datasetRecord(dataset),
      batchSize: options.batchSize,
      dropRemainder: this.dropRemainder,
      shuffle: options.shuffle,
      transforms: this.pipeline.specs,
      outputShape: this.pipeline.outShape,
      inputSeed: options.inputSeed,
      generators: {
        shuffle: deriveSeed(options.inputSeed, "shuffle").toString(16).padStart(16, "0"),
        augment: deriveSeed(options.inputSeed, "augment").toString(16).padStart(16, "0"),
      },
      batchesPerEpoch: this.batchesPerEpoch,
    };
  }

  /** Plans the next batch (all random draws happen here, in order) and starts building it. */
  private enqueue(): void {
    const { epoch, batchInEpoch, indices } = this.order.takeBatch();
    const perExample = this.pipeline.drawsPerExample;
    const draws = new Int32Array(indices.length * perExample);
    for (let k = 0; k < indices.length; k++) {
      drawExample(this.pipeline, this.augmentRng, draws, k * perExample);
    }
    const plan: BatchPlan = { epoch, batchInEpoch, indices, draws };
    const slice = this.options.slice;
    const own = slice === undefined ? plan : slicePlan(plan, slice, perExample);
    const batch = this.assembler.assembleFrom(this.dataset, own);
    // A look-ahead batch may fail before anyone awaits it; its error is reported when it
    // is consumed, not as an unhandled rejection.
    batch.catch(() => {});
    this.queue.push({ plan, batch, stateAfter: this.plannerState() });
  }

  private plannerState(): LoaderState {
    return {
      format: "nnr-loader/1",
      datasetLength: this.dataset.length,
      batchSize: this.options.batchSize,
      dropRemainder: this.dropRemainder,
      shuffle: this.options.shuffle,
      inputSeed: this.options.inputSeed,
      order: this.order.state(),
      augmentRng: this.augmentRng.getState(),
    };
  }

  private restore(state: LoaderState): void {
    const expected = this.plannerState();
    const checks: [string, unknown, unknown][] = [
      ["format", state.format, expected.format],
      ["dataset length", state.datasetLength, expected.datasetLength],
      ["batch size", state.batchSize, expected.batchSize],
      ["drop-remainder", state.dropRemainder, expected.dropRemainder],
      ["shuffle", JSON.stringify(state.shuffle), JSON.stringify(expected.shuffle)],
      ["input seed", state.inputSeed, expected.inputSeed],
    ];
    for (const [what, saved, current] of checks) {
      if (saved !== current) {
        throw new UserError(
          `cannot resume the input pipeline: the saved state has ${what} ${saved}, this run has ${current}; resume with the run's original settings`,
        );
      }
    }
    this.order.restore(state.order);
    this.augmentRng.setState(state.augmentRng);
  }
}

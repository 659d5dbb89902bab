import type { CreateOptions } from "./creation.js";
import { type GeneratorHandle, native } from "./native.js";
import { Tensor } from "./tensor.js";

/**
 * A seeded source of random numbers (libtorch's CPU Philox/MT generator). Every random draw
 * in nnr takes one explicitly: nothing draws from a hidden global. Draws are made on the CPU
 * and moved to the device, so a seed gives the same bits on every device.
 */
export class Generator {
  readonly handle: GeneratorHandle;
  /** What this generator is for ("init", "shuffle", …): recorded with runs. */
  readonly name: string;

  constructor(seed: number, name = "generator") {
    if (!Number.isSafeInteger(seed) || seed < 0) {
      throw new RangeError(
        `Generator '${name}': seed must be an integer in [0, 2^53), got ${seed}`,
      );
    }
    this.handle = native.newGenerator(seed);
    this.name = name;
  }

  get seed(): number {
    return native.generatorSeed(this.handle);
  }

  /** The complete state, to save in a checkpoint. */
  getState(): Uint8Array {
    return new Uint8Array(native.generatorState(this.handle));
  }

  setState(state: Uint8Array): void {
    native.setGeneratorState(this.handle, state);
  }
}

/** Uniform on [0, 1). */
export function rand(
  shape: readonly number[],
  generator: Generator,
  options: CreateOptions = {},
): Tensor {
  return Tensor.wrap(
    native.rand([...shape], generator.handle, options.dtype ?? null, options.device ?? null),
  );
}

/** Standard normal. */
export function randn(
  shape: readonly number[],
  generator: Generator,
  options: CreateOptions = {},
): Tensor {
  return Tensor.wrap(
    native.randn([...shape], generator.handle, options.dtype ?? null, options.device ?? null),
  );
}

/** Integers in [low, high). */
export function randint(
  low: number,
  high: number,
  shape: readonly number[],
  generator: Generator,
  options: CreateOptions = {},
): Tensor {
  return Tensor.wrap(
    native.randint(
      low,
      high,
      [...shape],
      generator.handle,
      options.dtype ?? null,
      options.device ?? null,
    ),
  );
}

/** A random permutation of 0 … n-1. */
export function randperm(n: number, generator: Generator, options: CreateOptions = {}): Tensor {
  return Tensor.wrap(
    native.randperm(n, generator.handle, options.dtype ?? null, options.device ?? null),
  );
}

/** Fills t in place with draws from U(low, high) (initialisers). */
export function uniform_(t: Tensor, low: number, high: number, generator: Generator): Tensor {
  native.uniform_(t.handle, low, high, generator.handle);
  return t;
}

/** Fills t in place with draws from N(mean, std²). */
export function normal_(t: Tensor, mean: number, std: number, generator: Generator): Tensor {
  native.normal_(t.handle, mean, std, generator.handle);
  return t;
}

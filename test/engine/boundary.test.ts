/** The native boundary: every libtorch error becomes a JS Error; nothing crashes the process. */
import { describe, expect, it } from "vitest";
import { F, liveTensors, ones, tensor, tidy, zeros } from "../../src/engine/index.js";
import { native, type TensorHandle } from "../../src/engine/native.js";

describe("errors cross the boundary as JS Errors", () => {
  it("a shape mismatch carries libtorch's message", () => {
    tidy(() => {
      expect(() => zeros([2, 3]).matmul(zeros([4, 5]))).toThrow(
        /matmul: mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)/,
      );
      expect(() => F.conv2d(zeros([1, 3, 8, 8]), zeros([4, 2, 3, 3]))).toThrow(
        /^conv2d: .*expected input\[1, 3, 8, 8\] to have 2 channels/,
      );
    });
  });

  it("wrong argument types name the function and the argument", () => {
    const fake = {} as unknown as TensorHandle;
    expect(() => native.addScalar(fake, 1)).toThrow(
      "addScalar: argument 'input' (position 0) must be a tensor handle",
    );
    expect(() => native.add(1.5 as TensorHandle, 1.5 as TensorHandle)).toThrow(
      "add: argument 'input' (position 0) must be a tensor handle",
    );
    tidy(() => {
      const t = ones([2]);
      expect(() => native.reshape(t.handle, [1.5] as number[])).toThrow(
        "reshape: argument 'shape' (position 1) must be an array of integers",
      );
      expect(() => native.zeros([2], "complex64" as "float32", null)).toThrow(
        /zeros: argument 'dtype'/,
      );
      expect(() => native.to(t.handle, null, "tpu")).toThrow(/to: argument 'device'/);
    });
  });

  it("integers outside ±(2^53 − 1) are refused, not wrapped to int64's ends", () => {
    tidy(() => {
      const t = ones([4]);
      expect(() => native.narrow(t.handle, 0, 0, 1e300)).toThrow(
        "narrow: argument 'length' (position 3) must be an integer within ±(2^53 − 1)",
      );
      expect(() => native.reshape(t.handle, [2 ** 60])).toThrow(
        "reshape: argument 'shape' (position 1) must be an array of integers within ±(2^53 − 1)",
      );
      expect(() => native.narrow(t.handle, 0, 0, Number.NaN)).toThrow(/narrow: argument 'length'/);
    });
  });

  it("data of the wrong size or kind is refused", () => {
    expect(() => tensor(new Float32Array(5), [2, 3])).toThrow(
      /data holds 20 bytes but shape and dtype need 24/,
    );
    expect(() => tensor(new Int32Array(4), [4], { dtype: "float32" })).toThrow(
      /Int32Array cannot hold float32/,
    );
  });

  it("failed calls leave no live tensors behind", () => {
    const before = liveTensors();
    for (let i = 0; i < 50; i++) {
      tidy(() => {
        try {
          zeros([2, 3]).matmul(zeros([4, 5]));
        } catch {
          // expected
        }
      });
    }
    expect(liveTensors()).toBe(before);
  });
});

describe("handles", () => {
  it("a handle to a freed slot stays disposed after the slot is reused", () => {
    const first = ones([2]);
    const stale = first.handle;
    first.dispose();
    const second = ones([3]);
    expect(native.isDisposed(stale)).toBe(true);
    expect(() => native.neg(stale)).toThrow("neg: argument 'input' is a disposed tensor");
    expect(native.dispose(stale)).toBe(false);
    expect(second.toArray()).toEqual([1, 1, 1]);
    second.dispose();
  });
});

describe("tensor basics", () => {
  it("reads back every dtype", () => {
    tidy(() => {
      expect(tensor(new Float64Array([1.5, 2])).dataSync()).toEqual(new Float64Array([1.5, 2]));
      expect(tensor(new BigInt64Array([3n, -4n])).toArray()).toEqual([3, -4]);
      expect(tensor(new Int32Array([7])).dtype).toBe("int32");
      expect(
        tensor(new Uint8Array([1, 0]), [2], { dtype: "bool" })
          .logicalNot()
          .toArray(),
      ).toEqual([0, 1]);
      expect(tensor([1, 2, 3], [3], { dtype: "int64" }).dtype).toBe("int64");
      expect(ones([2, 2]).to({ dtype: "float64" }).dtype).toBe("float64");
    });
  });

  it("channels_last keeps shape and values but changes strides", () => {
    tidy(() => {
      const x = tensor(
        Float32Array.from({ length: 24 }, (_, i) => i),
        [1, 2, 3, 4],
      );
      const y = x.contiguous("channels_last");
      expect(y.shape).toEqual([1, 2, 3, 4]);
      expect(y.strides).toEqual([24, 1, 8, 2]);
      expect(y.isContiguous("channels_last")).toBe(true);
      expect(y.toArray()).toEqual(x.toArray());
    });
  });

  it("item, maxWithIndices, argmax", () => {
    tidy(() => {
      const x = tensor([1, 5, 3, 9, 2, 0], [2, 3]);
      const { values, indices } = x.maxWithIndices(1);
      expect(values.toArray()).toEqual([5, 9]);
      expect(indices.toArray()).toEqual([1, 0]);
      expect(x.argmax().item()).toBe(3);
      expect(x.sum().item()).toBe(20);
    });
  });
});

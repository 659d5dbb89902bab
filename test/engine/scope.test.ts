/** Scoped memory: intermediates freed at scope end, results and kept tensors survive. */
import { describe, expect, it } from "vitest";
import {
  keep,
  liveTensors,
  ones,
  Scope,
  scopeDepth,
  type Tensor,
  tidy,
  zeros,
} from "../../src/engine/index.js";

describe("tidy", () => {
  it("frees every intermediate and keeps the returned tensor", () => {
    const before = liveTensors();
    const result = tidy(() => {
      const a = ones([3]);
      const b = a.add(1).mul(2);
      return b.sum();
    });
    expect(liveTensors()).toBe(before + 1);
    expect(result.item()).toBe(12);
    result.dispose();
    expect(liveTensors()).toBe(before);
  });

  it("keeps tensors nested in returned arrays and objects", () => {
    const before = liveTensors();
    const out = tidy(() => {
      const a = ones([2]);
      return { pair: [a.add(1), a.add(2)], single: a.mul(3) };
    });
    expect(liveTensors()).toBe(before + 3);
    expect(out.pair[1]!.toArray()).toEqual([3, 3]);
    for (const t of [...out.pair, out.single]) t.dispose();
    expect(liveTensors()).toBe(before);
  });

  it("moves a returned tensor to the enclosing scope", () => {
    const before = liveTensors();
    tidy(() => {
      const inner = tidy(() => ones([2]).add(1));
      expect(inner.isDisposed).toBe(false);
      return undefined;
    });
    expect(liveTensors()).toBe(before);
  });

  it("keep() lets a tensor outlive every scope", () => {
    const before = liveTensors();
    let kept: Tensor | undefined;
    tidy(() => {
      kept = keep(zeros([4]));
      ones([4]);
    });
    expect(kept!.isDisposed).toBe(false);
    expect(liveTensors()).toBe(before + 1);
    kept!.dispose();
    expect(liveTensors()).toBe(before);
  });

  it("frees everything when the callback throws", () => {
    const before = liveTensors();
    expect(() =>
      tidy(() => {
        ones([3]).add(1);
        throw new Error("boom");
      }),
    ).toThrow("boom");
    expect(liveTensors()).toBe(before);
    expect(scopeDepth()).toBe(0);
  });

  it("refuses to span an await", async () => {
    const before = liveTensors();
    expect(() => tidy((async () => ones([1])) as unknown as () => undefined)).toThrow(
      /cannot span an await/,
    );
    expect(liveTensors()).toBe(before);
  });
});

describe("Scope objects", () => {
  it("own what is made in run() until dispose()", () => {
    const before = liveTensors();
    const scope = new Scope();
    const t = scope.run(() => ones([2]).add(1));
    expect(scope.size).toBe(2);
    expect(t.toArray()).toEqual([2, 2]);
    scope.dispose();
    expect(t.isDisposed).toBe(true);
    expect(liveTensors()).toBe(before);
    expect(() => scope.run(() => 1)).toThrow(/already disposed/);
  });

  it("a disposed tensor cannot be used, and disposing twice is harmless", () => {
    const t = ones([2]);
    t.dispose();
    t.dispose();
    expect(() => t.add(1)).toThrow(/disposed/);
  });
});

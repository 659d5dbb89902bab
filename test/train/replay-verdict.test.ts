/**
 * What a replay says of itself: reproduced (same weights hash), not reproduced with the
 * recorded facts that differ, or nothing to compare. Records are built by hand: each branch
 * is one comparison of two recorded values.
 */
import { describe, expect, it } from "vitest";
import type { RunRecord } from "../../src/train/record.js";
import { replayVerdict } from "../../src/train/replay-verdict.js";

function record(fields: {
  status?: "complete" | "running" | "failed";
  weightsSha256?: string;
  libtorch?: string;
  isa?: string;
}): RunRecord {
  return {
    status: fields.status ?? "complete",
    weightsSha256: fields.weightsSha256,
    engine: {
      libtorch: fields.libtorch ?? "1.13.0",
      cpuModel: "AMD EPYC",
      cpu: { atenCapability: fields.isa ?? "avx2" },
    },
  } as unknown as RunRecord;
}

describe("a replay's verdict", () => {
  it("reproduced when the weights hash is the recorded one", () => {
    const verdict = replayVerdict(record({ weightsSha256: "aa" }), record({ weightsSha256: "aa" }));
    expect(verdict).toEqual({
      reproduced: true,
      line: "replay: reproduced: weights sha256 aa is the recorded run's",
    });
  });

  it("not reproduced, naming the recorded facts that differ", () => {
    const verdict = replayVerdict(
      record({ weightsSha256: "aa", libtorch: "1.13.0" }),
      record({ weightsSha256: "bb", libtorch: "2.6.0", isa: "avx512" }),
    );
    expect(verdict.reproduced).toBe(false);
    expect(verdict.line).toBe(
      "replay: not reproduced: weights sha256 bb, recorded aa; what differs: libtorch 1.13.0 → 2.6.0, CPU kernels avx2 → avx512",
    );
  });

  it("not reproduced on the same engine says so", () => {
    const verdict = replayVerdict(record({ weightsSha256: "aa" }), record({ weightsSha256: "bb" }));
    expect(verdict.reproduced).toBe(false);
    expect(verdict.line).toMatch(/libtorch, CPU kernels and CPU are the recorded ones/);
  });

  it("nothing to compare where either run has no final hash", () => {
    expect(replayVerdict(record({ status: "failed" }), record({ weightsSha256: "aa" }))).toEqual({
      reproduced: null,
      line: "replay: the recorded run has no final weights hash (status failed); nothing to compare",
    });
    expect(replayVerdict(record({ weightsSha256: "aa" }), null).reproduced).toBeNull();
  });
});

describe("a replay with changes says whether the hash was expected to differ", () => {
  const none = { training: [], tooling: [], record: [] };
  const same = [record({ weightsSha256: "aa" }), record({ weightsSha256: "aa" })] as const;
  const other = [record({ weightsSha256: "aa" }), record({ weightsSha256: "bb" })] as const;

  it("a change of what is trained: another hash expected", () => {
    const changes = { ...none, training: ["--lr"] };
    expect(replayVerdict(...other, changes).line).toMatch(
      /^replay: not reproduced: .*; as expected: --lr changes what is trained$/,
    );
    expect(replayVerdict(...same, changes).line).toMatch(
      /; unexpected: --lr changes what is trained, so another hash was expected$/,
    );
  });

  it("a change of tooling: the hash matches exactly where it moves no bits", () => {
    const changes = { ...none, tooling: ["--threads"] };
    expect(replayVerdict(...same, changes)).toMatchObject({ reproduced: true });
    expect(replayVerdict(...same, changes).line).toMatch(/; --threads changes no bits here/);
    expect(replayVerdict(...other, changes).line).toBe(
      "replay: not reproduced: weights sha256 bb, recorded aa; --threads changes the bits here (a change of tooling keeps the hash exactly where it moves no bits)",
    );
  });

  it("a change of what is recorded: the recorded hash expected", () => {
    const changes = { ...none, record: ["--trace"] };
    expect(replayVerdict(...same, changes).line).toMatch(
      /; as expected: --trace changes no arithmetic$/,
    );
    expect(replayVerdict(...other, changes).line).toMatch(
      /; unexpected: --trace changes no arithmetic, so the recorded hash was expected$/,
    );
  });

  it("what is trained outweighs the tooling beside it; no change says nothing more", () => {
    const both = { ...none, training: ["--epochs"], tooling: ["--threads"] };
    expect(replayVerdict(...other, both).line).toMatch(
      /as expected: --epochs changes what is trained$/,
    );
    expect(replayVerdict(...same, none)).toEqual(replayVerdict(...same));
  });
});

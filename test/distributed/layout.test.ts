/**
 * The pure parts of data parallelism, worked by hand: DDP's bucket layout, each rank's slice
 * of a batch, and which rank a launcher's environment makes this process.
 */
import { describe, expect, it } from "vitest";
import { bucketLayout } from "../../src/distributed/buckets.js";
import { checkBatchSplit, sliceBounds } from "../../src/distributed/data-parallel.js";
import { glooDevice, rankEnvironment } from "../../src/distributed/launcher-env.js";
import { chooseLaunch } from "../../src/distributed/train-launch.js";
import { zeros } from "../../src/engine/index.js";

describe("bucketLayout", () => {
  it("reverses the parameters, caps the first bucket and then the rest, as DDP", () => {
    // float32: 100 elements = 400 bytes. Caps: first 1000 bytes, the rest 2000.
    const named = ["a", "b", "c", "d", "e", "f"].map((name) => [name, zeros([100])] as const);
    const layout = bucketLayout(named, { first: 1000, rest: 2000 });
    // f e d (1200 ≥ 1000) | c b a (1200 < 2000, the last bucket stays open)
    expect(layout.buckets.map((b) => b.parameters)).toEqual([
      ["f", "e", "d"],
      ["c", "b", "a"],
    ]);
    expect(layout.buckets.map((b) => b.bytes)).toEqual([1200, 1200]);
    for (const [, t] of named) t.dispose();
  });

  it("keeps dtypes apart and gives an oversized parameter its own bucket", () => {
    const big = zeros([1000]);
    const small = zeros([10]);
    const double = zeros([10], { dtype: "float64" });
    const layout = bucketLayout(
      [
        ["small", small],
        ["double", double],
        ["big", big],
      ],
      { first: 1000, rest: 2000 },
    );
    expect(layout.buckets.map((b) => [b.dtype, b.parameters])).toEqual([
      ["float32", ["big"]],
      ["float64", ["double"]],
      ["float32", ["small"]],
    ]);
    for (const t of [big, small, double]) t.dispose();
  });
});

describe("sliceBounds", () => {
  it("gives rank r the r-th contiguous slice, the first ranks one more when uneven", () => {
    expect([0, 1].map((r) => sliceBounds(32, r, 2))).toEqual([
      { start: 0, end: 16 },
      { start: 16, end: 32 },
    ]);
    expect([0, 1, 2].map((r) => sliceBounds(7, r, 3))).toEqual([
      { start: 0, end: 3 },
      { start: 3, end: 5 },
      { start: 5, end: 7 },
    ]);
  });

  it("refuses a batch that does not split, and a last batch smaller than the world", () => {
    expect(() => checkBatchSplit(33, 0, 2)).toThrow(/--batch-size 33 does not split evenly over 2/);
    expect(() => checkBatchSplit(32, 1, 2)).toThrow(/last batch .* 1 example/);
    expect(() => checkBatchSplit(32, 2, 2)).not.toThrow();
  });
});

describe("rankEnvironment", () => {
  const torchrun = {
    RANK: "1",
    WORLD_SIZE: "2",
    LOCAL_RANK: "1",
    MASTER_ADDR: "10.0.0.1",
    MASTER_PORT: "29500",
  };

  it("reads torchrun's variables", () => {
    expect(rankEnvironment(torchrun)).toEqual({
      rank: 1,
      worldSize: 2,
      localRank: 1,
      masterAddr: "10.0.0.1",
      masterPort: 29500,
      source: "torchrun",
    });
    expect(rankEnvironment({})).toBeNull();
  });

  it("reads srun's inside a job step only, and needs the master from the user", () => {
    const step = { SLURM_STEP_ID: "0", SLURM_PROCID: "3", SLURM_NTASKS: "4", SLURM_LOCALID: "1" };
    expect(rankEnvironment({ ...step, MASTER_ADDR: "node01", MASTER_PORT: "29500" })).toMatchObject(
      {
        rank: 3,
        worldSize: 4,
        localRank: 1,
        source: "slurm",
      },
    );
    // A batch script's own shell: SLURM_NTASKS without a step.
    expect(rankEnvironment({ SLURM_PROCID: "0", SLURM_NTASKS: "4" })).toBeNull();
    expect(() => rankEnvironment(step)).toThrow(/MASTER_ADDR is not set/);
  });

  it("names the variable that is wrong", () => {
    expect(() => rankEnvironment({ ...torchrun, RANK: "x" })).toThrow(/^RANK=x is not an integer/);
    expect(() => rankEnvironment({ ...torchrun, RANK: "2" })).toThrow(
      /RANK=2 is not below the world size 2/,
    );
    expect(() => rankEnvironment({ ...torchrun, MASTER_PORT: "70000" })).toThrow(
      /MASTER_PORT=70000/,
    );
  });

  it("chooses how to run, and binds Gloo where the master is", () => {
    expect(chooseLaunch(undefined, null)).toEqual({ kind: "single" });
    expect(chooseLaunch(1, null)).toEqual({ kind: "single" });
    expect(chooseLaunch(2, null)).toEqual({ kind: "parent", nproc: 2 });
    const env = rankEnvironment(torchrun)!;
    expect(chooseLaunch(undefined, env)).toEqual({ kind: "rank", env });
    expect(() => chooseLaunch(3, env)).toThrow(
      /--nproc 3 disagrees with the launcher's world size 2/,
    );
    expect(glooDevice("127.0.0.1", {})).toBe("hostname:127.0.0.1");
    expect(glooDevice("10.0.0.1", {})).toBe("");
    expect(glooDevice("10.0.0.1", { GLOO_SOCKET_IFNAME: "eth1,eth2" })).toBe("interface:eth1");
  });
});

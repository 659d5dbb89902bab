/**
 * How many runs an experiment trains at once on this machine (experiment/local-run.ts): the
 * cores divided by the narrowest run's threads, one per GPU, or what the user chose.
 */
import { describe, expect, it } from "vitest";
import { workerSlots } from "../../src/experiment/local-run.js";
import type { Plan } from "../../src/experiment/plan.js";

/** A plan whose runs have these thread counts; the slots read nothing else. */
const planOf = (threads: number[]) =>
  ({ runs: threads.map((count) => ({ config: { threads: count } })) }) as unknown as Plan;

describe("worker slots", () => {
  it("fill the cores with the narrowest runs, and share them", () => {
    expect(workerSlots(planOf([1, 2]), {}, 8)).toEqual({
      workers: 8,
      cores: 8,
      description: "8 workers sharing 8 cores",
    });
    expect(workerSlots(planOf([3, 4]), {}, 8).workers).toBe(2);
    // A run wider than the machine still gets one worker.
    expect(workerSlots(planOf([4]), {}, 2).workers).toBe(1);
  });

  it("take the user's count or one per GPU, without a core budget", () => {
    expect(workerSlots(planOf([1]), { workers: 3 }, 8)).toEqual({
      workers: 3,
      description: "3 workers",
    });
    expect(workerSlots(planOf([1]), { gpus: ["0", "1"] }, 8)).toEqual({
      workers: 2,
      description: "2 workers on GPUs 0,1",
    });
    expect(workerSlots(planOf([1]), { workers: 4, gpus: ["0", "1"] }, 8)).toEqual({
      workers: 4,
      description: "4 workers on GPUs 0,1",
    });
  });
});

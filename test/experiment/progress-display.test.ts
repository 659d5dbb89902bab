/** The runner's line-per-event display: runs done of total and the time left. */
import { describe, expect, it } from "vitest";
import { completionTally } from "../../src/experiment/progress-display.js";

describe("completion tally", () => {
  it("estimates the time left from this runner's completion rate", () => {
    let clock = 0;
    const tally = completionTally(10, 2, () => clock);
    clock = 20_000; // 2 runs in 20 s → 6 runs left take 60 s
    expect(tally.record(4)).toBe("4/10 done · about 1 min 00 s left");
    clock = 30_000; // 3 runs in 30 s → 5 left take 50 s
    expect(tally.record(5)).toBe("5/10 done · about 50 s left");
    expect(tally.record(10)).toBe("10/10 done");
  });

  it("gives no estimate before this runner has finished a run", () => {
    const tally = completionTally(5, 3, () => 1000);
    expect(tally.record(3)).toBe("3/5 done");
  });
});

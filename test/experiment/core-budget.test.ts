/**
 * The runner shares the cores: a run starts only while its threads fit beside the runs in
 * progress, so a 2-thread run on 2 cores trains alone and 1-thread runs go two at a time.
 * Wider runs are claimed first. The stand-in trainer appends its starts and finishes in the
 * order they happen.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ensurePlanFile, expandPlan } from "../../src/experiment/plan.js";
import { validatePlanSpec } from "../../src/experiment/plan-spec.js";
import { runPlan } from "../../src/experiment/runner.js";
import { FAKE_TRAINER, readEvents, tempDir } from "./helpers.js";

describe("the runner's core budget", () => {
  it("never runs a 2-thread run beside another on 2 cores, and pairs 1-thread runs", async () => {
    const root = tempDir("cores");
    const spec = validatePlanSpec(
      {
        name: "cores",
        replicates: 2,
        base: { epochs: 2, trainExamples: 100, saveEpochs: [2] },
        grid: {
          models: ["smallcnn"],
          datasets: ["fashion-mnist"],
          settings: ["control"],
          options: { threads: [1, 2] },
        },
      },
      "test",
    );
    const dir = join(root, "exp");
    mkdirSync(dir, { recursive: true });
    const plan = ensurePlanFile(dir, expandPlan(spec, "test")).plan;
    const events = join(root, "events.log");
    process.env.NNR_FAKE_EVENTS = events;
    try {
      const summary = await runPlan({
        dir,
        plan,
        workers: 2,
        cores: 2,
        trainer: { module: FAKE_TRAINER, exportName: "trainRun" },
        pollMs: 50,
      });
      expect(summary.allComplete).toBe(true);
    } finally {
      delete process.env.NNR_FAKE_EVENTS;
    }
    const threadsOf = new Map(plan.runs.map((run) => [run.id, run.config.threads]));
    // Widest first: the plan lists its 1-thread runs first, yet a 2-thread run starts first,
    // while every core is free.
    expect(threadsOf.get(readEvents(events)[0]!.id)).toBe(2);
    const inProgress = new Set<string>();
    let pairedOneThreadRuns = false;
    for (const event of readEvents(events)) {
      if (event.kind === "start") {
        if (threadsOf.get(event.id) === 2) expect([...inProgress]).toEqual([]);
        if ([...inProgress].some((id) => threadsOf.get(id) === 2)) {
          throw new Error(`${event.id} started beside a 2-thread run`);
        }
        if (inProgress.size > 0) pairedOneThreadRuns = true;
        inProgress.add(event.id);
      } else if (event.kind === "complete") {
        inProgress.delete(event.id);
      }
    }
    expect(pairedOneThreadRuns).toBe(true);
  });
});

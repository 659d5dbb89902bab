/**
 * `--lr` under the ImageNet recipe (ResNet50, ResNet152, VGG): the recorded lr is the peak rate
 * per 256 examples, and the schedule scales it by the batch size, as its default 0.1 is.
 */
import { describe, expect, it } from "vitest";
import { trainRequest } from "../../src/cli/flags/train-request.js";
import { resolveRunConfig } from "../../src/train/index.js";
import { buildSchedule } from "../../src/train/model-setup.js";

const STEPS_PER_EPOCH = 10;
const AFTER_WARMUP = 5 * STEPS_PER_EPOCH;

function peakRate(flags: Parameters<typeof trainRequest>[0]): { recorded: number; used: number } {
  const config = resolveRunConfig(trainRequest(flags));
  return {
    recorded: config.optimizer.lr,
    used: buildSchedule(config, STEPS_PER_EPOCH).lrAt(AFTER_WARMUP),
  };
}

describe("--lr with the ImageNet recipe", () => {
  it("keeps the recipe's 0.1 per 256 examples by default", () => {
    expect(peakRate({ model: "resnet50", batchSize: 512 })).toEqual({ recorded: 0.1, used: 0.2 });
  });

  it("sets the peak rate per 256 examples, scaled by the batch size", () => {
    expect(peakRate({ model: "resnet50", lr: 0.5, batchSize: 256 })).toEqual({
      recorded: 0.5,
      used: 0.5,
    });
    expect(peakRate({ model: "vgg16", lr: 0.5, batchSize: 128 }).used).toBe(0.25);
  });

  it("reaches the schedule's later drops from the given rate", () => {
    const config = resolveRunConfig(trainRequest({ model: "resnet50", lr: 0.4, batchSize: 256 }));
    const schedule = buildSchedule(config, STEPS_PER_EPOCH);
    expect(schedule.lrAt(30 * STEPS_PER_EPOCH)).toBeCloseTo(0.04, 12);
    expect(schedule.description).toMatch(/warm-up 5 epochs to 0.4/);
  });
});

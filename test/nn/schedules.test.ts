/** Learning-rate schedules: the original's step schedules and the ImageNet warm-up. */
import { describe, expect, it } from "vitest";
import {
  celebaSchedule,
  linearDecaySchedule,
  multiStepSchedule,
  piecewiseConstantWithWarmup,
  resnet18CifarSchedule,
  resnet50ImagenetSchedule,
  smallCnnSchedule,
} from "../../src/nn/schedules.js";

describe("learning-rate schedules", () => {
  it("linear decay: lr·(1 − step/total) per step, worked by hand for 4 steps", () => {
    const s = linearDecaySchedule(0.004, 4);
    expect(s.unit).toBe("step");
    expect([0, 1, 2, 3].map((step) => s.lrAt(step))).toEqual([0.004, 0.003, 0.002, 0.001]);
    // Past the end (a resumed run's last partial step) it stays at the last rate, never 0.
    expect(s.lrAt(9)).toBe(0.001);
    expect(() => linearDecaySchedule(0.004, 0)).toThrow(/totalSteps/);
  });

  it("SmallCNN: lr, lr/10 from epoch 50, lr/100 from epoch 100", () => {
    const s = smallCnnSchedule(4e-4);
    expect([0, 49, 50, 99, 100, 199].map((e) => s.lrAt(e))).toEqual([
      4e-4,
      4e-4,
      4e-4 / 10,
      4e-4 / 10,
      4e-4 / 100,
      4e-4 / 100,
    ]);
    expect(s.unit).toBe("epoch");
  });

  it("ResNet18: lr·0.1^⌊epoch/50⌋; CelebA: lr·0.1^⌊epoch/5⌋", () => {
    const r = resnet18CifarSchedule(4e-4);
    expect([0, 49, 50, 100, 150, 199].map((e) => r.lrAt(e))).toEqual([
      4e-4,
      4e-4,
      4e-4 * 0.1,
      4e-4 * 0.01,
      4e-4 * 0.1 ** 3,
      4e-4 * 0.1 ** 3,
    ]);
    const c = celebaSchedule(1e-3);
    expect([0, 4, 5, 9].map((e) => c.lrAt(e))).toEqual([1e-3, 1e-3, 1e-3 * 0.1, 1e-3 * 0.1]);
  });

  it("multi-step counts the milestones passed", () => {
    const s = multiStepSchedule(1, [30, 10], 0.5);
    expect([0, 9, 10, 29, 30].map((e) => s.lrAt(e))).toEqual([1, 1, 0.5, 0.5, 0.25]);
  });

  it("warm-up rises linearly per step, then steps down at the boundaries", () => {
    const s = piecewiseConstantWithWarmup({
      baseLr: 0.4,
      stepsPerEpoch: 10,
      warmupEpochs: 2,
      boundaryEpochs: [5, 8],
      multipliers: [1, 0.1, 0.01],
    });
    expect(s.unit).toBe("step");
    expect([0, 5, 10, 19, 20, 49, 50, 79, 80].map((t) => s.lrAt(t))).toEqual([
      0,
      0.1,
      0.2,
      0.38,
      0.4,
      0.4,
      0.4 * 0.1,
      0.4 * 0.1,
      0.4 * 0.01,
    ]);
    const imagenet = resnet50ImagenetSchedule(1024, 1251);
    expect(imagenet.lrAt(5 * 1251)).toBeCloseTo(0.4, 12);
    expect(imagenet.lrAt(90 * 1251 - 1)).toBeCloseTo(0.4 * 0.001, 12);
  });

  it("rejects bad positions and mismatched multipliers", () => {
    expect(() => smallCnnSchedule(1).lrAt(-1)).toThrow(/epoch must be an integer >= 0/);
    expect(() => resnet18CifarSchedule(1).lrAt(1.5)).toThrow(/integer/);
    expect(() =>
      piecewiseConstantWithWarmup({
        baseLr: 1,
        stepsPerEpoch: 1,
        warmupEpochs: 0,
        boundaryEpochs: [1],
        multipliers: [1],
      }),
    ).toThrow(/need 2 multipliers/);
  });
});

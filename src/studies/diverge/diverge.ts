/**
 * Where two runs part: the first optimizer step at which any gradient or parameter hash
 * differs, and which layer it was (gradients first: they are computed before the update);
 * then the L2 distance between the two runs' parameters at every common snapshot step, in
 * total and per layer, to show how the difference grows.
 */
import type { TraceStep } from "../../train/trace.js";
import { readSnapshot, readTrace, snapshotSteps } from "./trace-files.js";

export interface FirstDivergence {
  step: number;
  epoch: number;
  batch: number;
  kind: "gradient" | "parameter";
  /** The first layer (in the model's parameter order) that differs. */
  layer: string;
  /** Every layer that differs at that step, gradients or parameters. */
  layers: string[];
}

export interface DistanceAtStep {
  step: number;
  total: number;
  layers: Record<string, number>;
}

export interface Divergence {
  stepsCompared: number;
  /** Set when the traces have different lengths (e.g. one run is unfinished). */
  lengthNote: string | null;
  first: FirstDivergence | null;
  distances: DistanceAtStep[];
}

export function firstDivergence(
  a: readonly TraceStep[],
  b: readonly TraceStep[],
): FirstDivergence | null {
  const steps = Math.min(a.length, b.length);
  for (let i = 0; i < steps; i++) {
    const [x, y] = [a[i]!, b[i]!];
    const gradients = Object.keys(x.grads).filter((name) => x.grads[name] !== y.grads[name]);
    const parameters = Object.keys(x.params).filter((name) => x.params[name] !== y.params[name]);
    if (gradients.length === 0 && parameters.length === 0) continue;
    const kind = gradients.length > 0 ? "gradient" : "parameter";
    return {
      step: x.step,
      epoch: x.epoch,
      batch: x.batch,
      kind,
      layer: (kind === "gradient" ? gradients : parameters)[0]!,
      layers: [...new Set([...gradients, ...parameters])],
    };
  }
  return null;
}

export function distance(
  a: Map<string, Float32Array>,
  b: Map<string, Float32Array>,
): { total: number; layers: Record<string, number> } {
  const layers: Record<string, number> = {};
  let total = 0;
  for (const [name, values] of a) {
    const other = b.get(name);
    if (other === undefined || other.length !== values.length) continue;
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += (values[i]! - other[i]!) ** 2;
    layers[name] = Math.sqrt(sum);
    total += sum;
  }
  return { total: Math.sqrt(total), layers };
}

export function diverge(runA: string, runB: string): Divergence {
  const [a, b] = [readTrace(runA), readTrace(runB)];
  const common = new Set(snapshotSteps(runA));
  const distances = snapshotSteps(runB)
    .filter((step) => common.has(step))
    .map((step) => ({ step, ...distance(readSnapshot(runA, step), readSnapshot(runB, step)) }));
  return {
    stepsCompared: Math.min(a.length, b.length),
    lengthNote:
      a.length === b.length
        ? null
        : `the traces differ in length (${a.length} and ${b.length} steps); compared the first ${Math.min(a.length, b.length)}`,
    first: firstDivergence(a, b),
    distances,
  };
}

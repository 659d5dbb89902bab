/**
 * Seeded generators of simulated runs for the coverage tests: normal draws, and models of
 * runs whose predictions or weights differ, with known true values.
 */
import type { RandomStream } from "../../src/random/stream.js";

/** A standard normal draw (Box–Muller; one of the pair is discarded for simplicity). */
export function normal(rng: RandomStream): number {
  const u = 1 - rng.nextFloat(); // (0, 1]: log(0) cannot occur
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextFloat());
}

export const normals = (rng: RandomStream, n: number, mean: number, sd: number) =>
  Array.from({ length: n }, () => mean + sd * normal(rng));

/**
 * Churn model: example e has a base flip rate q_e; run r scales it by its own t_r ~
 * U(0.5, 1.5), so a run that flips more flips more everywhere and its pairs are dependent.
 * Run r predicts 1 on e with probability q_e·t_r. Two independent runs differ on e with
 * probability 2q_e·E[t] − 2q_e²·E[t]², E[t] = 1: the true churn is the mean of 2q − 2q².
 */
export function churnModel(rng: RandomStream, examples: number) {
  const q = Array.from({ length: examples }, () => 0.4 * rng.nextFloat());
  const truth = q.reduce((sum, qe) => sum + 2 * qe - 2 * qe * qe, 0) / examples;
  const runs = (n: number) =>
    Array.from({ length: n }, () => {
      const t = 0.5 + rng.nextFloat();
      return Int32Array.from(q, (qe) => (rng.nextFloat() < qe * t ? 1 : 0));
    });
  return { truth, runs };
}

/** Weights model: w_r = t_r·z_r, z_r standard normal in `dims` dimensions, t_r ~ U(0.5, 1.5). */
export function weightsModel(rng: RandomStream, dims: number) {
  const draw = () => {
    const t = 0.5 + rng.nextFloat();
    return Float32Array.from({ length: dims }, () => t * normal(rng));
  };
  return { draw };
}

/**
 * Per-class counts: C_rk = a·u_r + b_k·z_rk (u_r shared by the run's classes, z_rk its own).
 * Σ_k var C_k = K·a² + Σ b_k², var Σ_k C_k = K²·a² + Σ b_k²; √Q is the root of their ratio.
 */
export function classCountsModel(rng: RandomStream, a: number, b: readonly number[]) {
  const k = b.length;
  const sumB2 = b.reduce((sum, x) => sum + x * x, 0);
  const truth = Math.sqrt((k * a * a + sumB2) / (k * k * a * a + sumB2));
  const runs = (n: number) =>
    Array.from({ length: n }, () => {
      const u = normal(rng);
      return b.map((bk) => 100 + a * u + bk * normal(rng));
    });
  return { truth, runs };
}

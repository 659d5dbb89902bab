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
 * Churn model: example e has a base flip rate q_e ~ U(0, maxRate); run r scales it by its own t_r ~
 * U(0.5, 1.5), so a run that flips more flips more everywhere and its pairs are dependent.
 * Run r predicts 1 on e with probability q_e·t_r. Two independent runs differ on e with
 * probability 2q_e·E[t] − 2q_e²·E[t]², E[t] = 1: the true churn is the mean of 2q − 2q².
 */
export function churnModel(rng: RandomStream, examples: number, maxRate = 0.4) {
  const q = Array.from({ length: examples }, () => maxRate * rng.nextFloat());
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

const logistic = (x: number) => 1 / (1 + Math.exp(-x));

/**
 * Fractions near an end of [0, 1]: run r's true rate is p_r = logistic(logit(p) + sd·z_r)
 * (runs differ), and it scores Binomial(examples, p_r)/examples (a finite test set). The
 * true mean, E[p_r], is computed by a large Monte Carlo (its error, ~sd·p(1−p)/700, is far
 * below the intervals' widths).
 */
export function fractionModel(rng: RandomStream, p: number, sd: number, examples: number) {
  const centre = Math.log(p / (1 - p));
  let sum = 0;
  const draws = 200_000;
  for (let i = 0; i < draws; i++) sum += logistic(centre + sd * normal(rng));
  const run = () => {
    const rate = logistic(centre + sd * normal(rng));
    let correct = 0;
    for (let e = 0; e < examples; e++) if (rng.nextFloat() < rate) correct++;
    return correct;
  };
  return { truth: sum / draws, runs: (n: number) => Array.from({ length: n }, run) };
}

/**
 * Churn near 1 (near-chance models): on example e run r predicts class 0 with probability
 * a_e·t_r (t_r ~ U(0.5, 1.5), a_e ~ U(0, maxA)), else one of the other `classes − 1` at random.
 * Two runs agree with probability a²·E[t]² + (1 − a·E[t])²/(classes − 1), E[t] = 1, so the
 * true churn is the mean over examples of 1 − a² − (1 − a)²/(classes − 1).
 */
export function chanceChurnModel(
  rng: RandomStream,
  examples: number,
  classes: number,
  maxA: number,
) {
  const a = Array.from({ length: examples }, () => maxA * rng.nextFloat());
  const others = classes - 1;
  const truth = a.reduce((sum, ae) => sum + 1 - ae * ae - (1 - ae) ** 2 / others, 0) / examples;
  const runs = (n: number) =>
    Array.from({ length: n }, () => {
      const t = 0.5 + rng.nextFloat();
      return Int32Array.from(a, (ae) =>
        rng.nextFloat() < ae * t ? 0 : 1 + Math.floor(rng.nextFloat() * others),
      );
    });
  return { truth, runs };
}

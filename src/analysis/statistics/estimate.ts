/**
 * A point estimate with its interval. Every interval in the analysis has a stated method
 * whose coverage test/analysis/coverage.test.ts checks by simulation.
 */
export interface Estimate {
  value: number;
  /** null when no interval is given: too few runs, or a value known exactly (bit-identical runs). */
  low: number | null;
  high: number | null;
  /** How the interval was made, e.g. "chi-square"; absent when there is none. */
  method?: string;
  /**
   * Set on an interval of a fraction that the range [0, 1] shaped: the symmetric interval
   * (value ± t·se) would have crossed 0 or 1, and the logit scale kept it inside, asymmetric.
   */
  bounded?: "at 0" | "at 1" | "at 0 and 1";
  /**
   * A fraction's standard error on its own scale, where its interval is made on another
   * (the logit): what a plain interval's half-width, and the runs needed, are computed from.
   */
  se?: number;
}

/** A value with no interval (a subgroup with no examples: nothing to estimate from). */
export const pointOnly = (value: number): Estimate => ({ value, low: null, high: null });

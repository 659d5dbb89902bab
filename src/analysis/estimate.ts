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
}

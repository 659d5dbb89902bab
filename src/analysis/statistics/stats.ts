/** Descriptive statistics over plain arrays. NaN in, NaN out: callers filter first. */

export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return Number.NaN;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum / values.length;
}

/**
 * Standard deviation with `ddof` degrees of freedom removed: 0 gives the population std
 * (numpy's default, which the original used), 1 the sample std (Bessel-corrected).
 */
export function std(values: ArrayLike<number>, ddof: 0 | 1): number {
  const n = values.length;
  if (n - ddof <= 0) return Number.NaN;
  // Equal values have no spread; the mean of rounded fractions would leave ~1e-16.
  let equal = true;
  for (let i = 1; i < n && equal; i++) equal = values[i] === values[0];
  if (equal) return 0;
  const m = mean(values);
  let sumSquares = 0;
  for (let i = 0; i < n; i++) sumSquares += (values[i]! - m) ** 2;
  return Math.sqrt(sumSquares / (n - ddof));
}

export const stdPopulation = (values: ArrayLike<number>) => std(values, 0);
export const stdSample = (values: ArrayLike<number>) => std(values, 1);

/** Linear-interpolation quantile (numpy's default method), q in [0, 1]. */
export function quantile(values: ArrayLike<number>, q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

export const median = (values: ArrayLike<number>) => quantile(values, 0.5);

export function minimum(values: ArrayLike<number>): number {
  let result = Number.POSITIVE_INFINITY;
  for (let i = 0; i < values.length; i++) result = Math.min(result, values[i]!);
  return values.length === 0 ? Number.NaN : result;
}

export function maximum(values: ArrayLike<number>): number {
  let result = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) result = Math.max(result, values[i]!);
  return values.length === 0 ? Number.NaN : result;
}

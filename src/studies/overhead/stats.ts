/** Summaries of repeated timings: the median as the figure, the range as its spread. */

export interface TimingSummary {
  /** Median over the repeats (mean of the middle two for an even count). */
  median: number;
  /** max − min over the repeats: every measurement lies within this band. */
  spread: number;
  samples: number[];
}

export function summarize(samples: readonly number[]): TimingSummary {
  if (samples.length === 0) throw new Error("summarize: no samples");
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, spread: sorted.at(-1)! - sorted[0]!, samples: [...samples] };
}

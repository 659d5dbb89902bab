import jstat from "jstat";
import { mean, median } from "./stats.js";

export interface SpreadTest {
  test: "brown-forsythe";
  statistic: number;
  df1: number;
  df2: number;
  /** NaN when the test is undefined (every group constant). */
  pValue: number;
}

/**
 * Brown–Forsythe test of equal spread (Levene's test on absolute deviations from each
 * group's median): robust to the non-normal, small samples that n = 10 runs give.
 */
export function brownForsythe(groups: readonly (readonly number[])[]): SpreadTest {
  const k = groups.length;
  const deviations = groups.map((values) => {
    const center = median(values);
    return values.map((value) => Math.abs(value - center));
  });
  const total = deviations.reduce((sum, group) => sum + group.length, 0);
  const df1 = k - 1;
  const df2 = total - k;
  if (k < 2 || deviations.some((group) => group.length < 2)) {
    return { test: "brown-forsythe", statistic: Number.NaN, df1, df2, pValue: Number.NaN };
  }
  const groupMeans = deviations.map(mean);
  const grandMean = mean(deviations.flat());
  let between = 0;
  let within = 0;
  for (const [i, group] of deviations.entries()) {
    between += group.length * (groupMeans[i]! - grandMean) ** 2;
    for (const z of group) within += (z - groupMeans[i]!) ** 2;
  }
  if (within === 0) {
    // Every group's deviations are constant: equal groups give no evidence of a
    // difference; different constants are as different as the data can show.
    const pValue = between === 0 ? 1 : 0;
    const statistic = between === 0 ? 0 : Number.POSITIVE_INFINITY;
    return { test: "brown-forsythe", statistic, df1, df2, pValue };
  }
  const statistic = (df2 / df1) * (between / within);
  const pValue = 1 - jstat.jStat.centralF.cdf(statistic, df1, df2);
  return { test: "brown-forsythe", statistic, df1, df2, pValue };
}

import type jstatModule from "jstat";
import { lazyRequire } from "../../io/lazy-module.js";

/** Quantiles and tail probabilities from jstat, named for what the analysis uses them for. */
// Loaded at the first quantile, not by every command (io/lazy-module.ts).
const jstat = lazyRequire<typeof jstatModule>("jstat");
const jStat = () => jstat().jStat;

export const chiSquareQuantile = (p: number, df: number) => jStat().chisquare.inv(p, df);
export const studentTQuantile = (p: number, df: number) => jStat().studentt.inv(p, df);
export const normalQuantile = (p: number) => jStat().normal.inv(p, 0, 1);
export const fQuantile = (p: number, df1: number, df2: number) => jStat().centralF.inv(p, df1, df2);
export const fCdf = (x: number, df1: number, df2: number) => jStat().centralF.cdf(x, df1, df2);

import {
  type Estimate,
  type GroupResult,
  SETTING_LABELS,
  settingLabel,
} from "../analysis/index.js";

export const isFiniteNumber = (value: number | null | undefined): value is number =>
  value !== null && value !== undefined && Number.isFinite(value);

export function percent(value: number | null | undefined, digits = 2): string {
  if (value === 0) return "0";
  return isFiniteNumber(value) ? `${(value * 100).toFixed(digits)}%` : "n/a";
}

/** A signed accuracy difference in percentage points: "+0.31 points", "−1.20 points", "0". */
export function signedPoints(value: number | null | undefined, digits = 2): string {
  if (value === 0) return "0";
  if (!isFiniteNumber(value)) return "n/a";
  return `${value > 0 ? "+" : "−"}${Math.abs(value * 100).toFixed(digits)} points`;
}

/** "95 %" from 0.95, "80 %" from 0.8, "97.5 %" from 0.975: the level as the analysis ran it. */
export const levelText = (level: number) => `${Number((level * 100).toFixed(1))}%`;

/** ", bounded by 100%" where the range [0, 1] shaped a fraction's interval (Estimate.bounded). */
export function boundedText(estimate: Estimate): string {
  return estimate.bounded === undefined
    ? ""
    : `, bounded by ${{ "at 0": "0%", "at 1": "100%", "at 0 and 1": "0% and 100%" }[estimate.bounded]}`;
}

export function interval(estimate: Estimate | null | undefined, digits = 2): string {
  if (!estimate || !isFiniteNumber(estimate.low) || estimate.high === null) return "";
  const high = Number.isFinite(estimate.high) ? percent(estimate.high, digits) : "unbounded";
  return `[${percent(estimate.low, digits)}, ${high}]${boundedText(estimate)}`;
}

export function withInterval(estimate: Estimate | null | undefined, digits = 2): string {
  if (!estimate) return "n/a";
  if (estimate.value === 0 && estimate.low === null) return "0 (exact)";
  const range = interval(estimate, digits);
  return range ? `${percent(estimate.value, digits)} ${range}` : percent(estimate.value, digits);
}

/** A spread of a group: "0, bit-identical" when its runs are identical, else value [interval]. */
export function spread(
  estimate: Estimate | null | undefined,
  group: GroupResult,
  digits = 2,
): string {
  if (group.identicalRuns === "weights") return "0, bit-identical";
  if (group.identicalRuns === "predictions") return "0, identical predictions";
  return withInterval(estimate, digits);
}

export function pValue(value: number | null | undefined): string {
  if (!isFiniteNumber(value)) return "n/a";
  return value < 0.001 ? "p < 0.001" : `p = ${value.toFixed(3)}`;
}

/** Two significant digits (0.33×, 1.2×, 27×), whole numbers from 100 up, "unbounded" for ∞. */
export function ratio(value: number | null | undefined): string {
  if (value === Number.POSITIVE_INFINITY) return "unbounded";
  if (!isFiniteNumber(value)) return "n/a";
  const text = Math.abs(value) >= 100 ? Math.round(value).toString() : value.toPrecision(2);
  return `${text}×`;
}

export function ratioWithInterval(estimate: Estimate | null | undefined): string {
  if (!estimate) return "n/a";
  if (estimate.low === null || estimate.high === null) return ratio(estimate.value);
  return `${ratio(estimate.value)} [${ratio(estimate.low)}, ${ratio(estimate.high)}]`;
}

export const SETTING_NAMES = SETTING_LABELS;
export const settingName = settingLabel;

/**
 * Short names for the groups: the setting alone when every group is of one model and
 * dataset, else "model dataset · SETTING". Full names stay in the summary table.
 */
export function shortLabels(groups: readonly GroupResult[]): Map<string, string> {
  const family = (group: GroupResult) =>
    `${group.model} ${group.dataset}${group.batchNorm ? " BN" : ""}`;
  const oneFamily = new Set(groups.map(family)).size <= 1;
  const labels = new Map<string, string>();
  for (const group of groups) {
    const setting = settingLabel(group.setting);
    labels.set(group.label, oneFamily ? setting : `${family(group)} · ${setting}`);
  }
  // Two groups with one short name (same family and setting, different configs): keep the full one.
  const counts = new Map<string, number>();
  for (const short of labels.values()) counts.set(short, (counts.get(short) ?? 0) + 1);
  for (const [label, short] of labels) if (counts.get(short)! > 1) labels.set(label, label);
  return labels;
}

/**
 * Runs with bit-identical final weights, as sets numbered 0, 1, … in order of first
 * appearance: entry i is run i's set, undefined where its hash is unknown.
 */
export function weightSets(hashes: readonly (string | undefined)[]): (number | undefined)[] {
  const numbers = new Map<string, number>();
  return hashes.map((hash) => {
    if (hash === undefined) return undefined;
    if (!numbers.has(hash)) numbers.set(hash, numbers.size);
    return numbers.get(hash);
  });
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

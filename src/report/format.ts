import type { Estimate } from "../analysis/bootstrap.js";

export const isFiniteNumber = (value: number | null | undefined): value is number =>
  value !== null && value !== undefined && Number.isFinite(value);

export function percent(value: number | null | undefined, digits = 2): string {
  return isFiniteNumber(value) ? `${(value * 100).toFixed(digits)}%` : "n/a";
}

export function interval(estimate: Estimate | null | undefined, digits = 2): string {
  if (!estimate || !isFiniteNumber(estimate.low) || !isFiniteNumber(estimate.high)) return "";
  return `[${percent(estimate.low, digits)}, ${percent(estimate.high, digits)}]`;
}

export function withInterval(estimate: Estimate | null | undefined, digits = 2): string {
  if (!estimate) return "n/a";
  const range = interval(estimate, digits);
  return range ? `${percent(estimate.value, digits)} ${range}` : percent(estimate.value, digits);
}

export function pValue(value: number | null | undefined): string {
  if (!isFiniteNumber(value)) return "n/a";
  return value < 0.001 ? "p < 0.001" : `p = ${value.toFixed(3)}`;
}

export function ratio(value: number | null | undefined): string {
  return isFiniteNumber(value) ? `${value.toFixed(2)}×` : "n/a";
}

export const SETTING_NAMES: Record<string, string> = {
  "algo+impl": "ALGO+IMPL",
  algo: "ALGO",
  impl: "IMPL",
  control: "Control",
  tooling: "Tooling",
};

export const settingName = (setting: string) => SETTING_NAMES[setting] ?? setting;

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

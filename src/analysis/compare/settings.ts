/** Display names of the settings, and the pairs of settings the seed paper makes claims about. */
import {
  SETTING_NAMES,
  SETTING_LABELS as STUDY_SETTING_LABELS,
} from "../../contract/noise-sources.js";

/** The study's settings (contract/noise-sources.ts), and the pool of the tooling study. */
export const SETTING_LABELS: Record<string, string> = {
  ...STUDY_SETTING_LABELS,
  tooling: "Tooling",
};

export const settingLabel = (setting: string) => SETTING_LABELS[setting] ?? setting;

/** The declared comparisons: which pair, and whether the claim is equivalence or a difference. */
export const DECLARED_PAIRS: { a: string; b: string; kind: "equivalence" | "difference" }[] = [
  { a: "algo", b: "impl", kind: "equivalence" },
  { a: "algo+impl", b: "algo", kind: "difference" },
  { a: "impl", b: "control", kind: "difference" },
];

export const STANDARD_SETTINGS = new Set<string>(SETTING_NAMES);

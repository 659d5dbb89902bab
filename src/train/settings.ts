/**
 * The three noise sources and the four settings of the study. A deterministic source uses a
 * fixed seed; a random one draws its seed from the OS and records it.
 */
export type NoiseSource = "init" | "input" | "impl";

export interface DeterministicSources {
  init: boolean;
  input: boolean;
  impl: boolean;
}

export const SETTINGS = {
  /** Everything random: the original's "Default". */
  "algo+impl": { init: false, input: false, impl: false },
  /** Algorithmic noise only: random seeds, deterministic kernels. */
  algo: { init: false, input: false, impl: true },
  /** Implementation noise only: fixed seeds, nondeterministic kernels. */
  impl: { init: true, input: true, impl: false },
  /** Fully deterministic. */
  control: { init: true, input: true, impl: true },
} as const satisfies Record<string, DeterministicSources>;

export type SettingName = keyof typeof SETTINGS;
export const SETTING_NAMES = Object.keys(SETTINGS) as SettingName[];

/** The setting name for a combination of switches, or "custom" (e.g. only init fixed). */
export function settingOf(sources: DeterministicSources): SettingName | "custom" {
  for (const name of SETTING_NAMES) {
    const s = SETTINGS[name];
    if (s.init === sources.init && s.input === sources.input && s.impl === sources.impl)
      return name;
  }
  return "custom";
}

/** The original's folder names call ALGO+IMPL "default". */
export function originalSettingName(setting: SettingName | "custom"): string {
  return setting === "algo+impl" ? "default" : setting;
}

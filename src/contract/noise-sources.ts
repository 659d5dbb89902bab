/**
 * The noise sources of a run and the settings that switch them, as one table: the run config's
 * switches and seeds, the seeds drawn per run, the CLI's flags and refusals, the analysis's
 * context block and the plans' settings are all read from it. A new source is one row here
 * plus the generator that draws from its seed (CONTRIBUTING.md, "Add a noise source").
 */

/**
 * One source of run-to-run variation. A deterministic source uses a fixed seed (or, for one
 * without a seed, a deterministic implementation); a random one draws its seed from the OS and
 * records it.
 */
export interface NoiseSourceRow {
  /** The switch's key in config.deterministic; `seed` rows also key fixedSeeds and run seeds. */
  readonly name: string;
  /** The kind of noise it is: algorithmic (what is drawn) or implementation (how it computes). */
  readonly kind: "algo" | "impl";
  /** What fixing it holds still, for help texts and docs. */
  readonly fixes: string;
  /** The help text of its --deterministic-NAME flag. */
  readonly flagHelp: string;
  /**
   * Where its seed goes: the generator(s) seeded from it (libtorch's `Generator` or the
   * JavaScript streams named so), and the help text of its --seed-NAME flag. A source with no
   * seed (impl) is fixed by a switch alone.
   */
  readonly seed: { readonly generators: readonly string[]; readonly flagHelp: string } | null;
  /** The original scripts' flags that fix it (several sources may share one). */
  readonly originalFlags: readonly string[];
}

export const NOISE_SOURCES = [
  {
    name: "init",
    kind: "algo",
    fixes: "the initial weights (and the weight --perturb-init-ulp picks)",
    flagHelp: "fixed initialisation seed",
    seed: { generators: ["init"], flagHelp: "seed of a deterministic init (default 0)" },
    originalFlags: ["deterministic_init", "deterministic_algo"],
  },
  {
    name: "input",
    kind: "algo",
    fixes: "the data order and the augmentation draws",
    flagHelp: "fixed data order and augmentation seed",
    seed: {
      generators: ["shuffle", "augment"],
      flagHelp: "seed of a deterministic input (default 0)",
    },
    originalFlags: ["deterministic_input", "deterministic_algo"],
  },
  {
    // The original's models train without dropout; its init switch stands for the seeds of
    // what a model draws, so it fixes the masks with the weights.
    name: "dropout",
    kind: "algo",
    fixes: "the dropout masks (an imported model's Dropout nodes, a zoo model's dropout)",
    flagHelp: "fixed dropout-mask seed",
    seed: { generators: ["dropout"], flagHelp: "seed of deterministic dropout masks (default 0)" },
    originalFlags: ["deterministic_init", "deterministic_algo"],
  },
  {
    name: "impl",
    kind: "impl",
    fixes: "the kernels: deterministic algorithms, no autotuning",
    flagHelp: "deterministic kernels",
    seed: null,
    originalFlags: ["deterministic_tf", "deterministic_impl"],
  },
] as const satisfies readonly NoiseSourceRow[];

type Row = (typeof NOISE_SOURCES)[number];
export type NoiseSource = Row["name"];
/** The sources that take a seed (and are recorded in run.json's seeds). */
export type SeededSource = Extract<Row, { seed: object }>["name"];

export const NOISE_SOURCE_NAMES: readonly NoiseSource[] = NOISE_SOURCES.map((row) => row.name);
export const SEEDED_SOURCES: readonly SeededSource[] = NOISE_SOURCES.flatMap((row) =>
  row.seed === null ? [] : [row.name as SeededSource],
);

/** Which sources are deterministic (config.deterministic). */
export type DeterministicSources = Record<NoiseSource, boolean>;
/** A seed per seeded source (config.fixedSeeds, run.json's seeds). */
export type SourceSeeds = Record<SeededSource, number>;

/** An object with one entry per source (or per seeded source), in the table's order. */
export function perSource<T>(value: (source: NoiseSource) => T): Record<NoiseSource, T> {
  return Object.fromEntries(NOISE_SOURCE_NAMES.map((s) => [s, value(s)])) as Record<NoiseSource, T>;
}
export function perSeededSource<T>(value: (source: SeededSource) => T): Record<SeededSource, T> {
  return Object.fromEntries(SEEDED_SOURCES.map((s) => [s, value(s)])) as Record<SeededSource, T>;
}

/**
 * The settings of the study: which kinds of noise are left in. Every source of a kind left in
 * draws at random; the rest are fixed. `original` is the original code's folder name.
 */
interface SettingRow {
  readonly name: string;
  readonly label: string;
  readonly noisy: readonly ("algo" | "impl")[];
  readonly original: string;
}

export const SETTING_ROWS = [
  /** Everything random: the original's "Default". */
  { name: "algo+impl", label: "ALGO+IMPL", noisy: ["algo", "impl"], original: "default" },
  /** Algorithmic noise only: random seeds, deterministic kernels. */
  { name: "algo", label: "ALGO", noisy: ["algo"], original: "algo" },
  /** Implementation noise only: fixed seeds, nondeterministic kernels. */
  { name: "impl", label: "IMPL", noisy: ["impl"], original: "impl" },
  /** Fully deterministic. */
  { name: "control", label: "Control", noisy: [], original: "control" },
] as const satisfies readonly SettingRow[];

export type SettingName = (typeof SETTING_ROWS)[number]["name"];
export const SETTING_NAMES: SettingName[] = SETTING_ROWS.map((row) => row.name);

/** Each setting's switches, derived from the kinds it leaves noisy. */
export const SETTINGS = Object.fromEntries(
  SETTING_ROWS.map((setting) => [
    setting.name,
    Object.freeze(
      perSource(
        (source) =>
          !(setting.noisy as readonly string[]).includes(sourceRow(source).kind as string),
      ),
    ),
  ]),
) as Readonly<Record<SettingName, Readonly<DeterministicSources>>>;

/** A setting's display name, e.g. "ALGO+IMPL". */
export const SETTING_LABELS: Readonly<Record<SettingName, string>> = Object.fromEntries(
  SETTING_ROWS.map((row) => [row.name, row.label]),
) as Record<SettingName, string>;

export function sourceRow(source: NoiseSource): Row {
  return NOISE_SOURCES.find((row) => row.name === source)!;
}

/** The setting name for a combination of switches, or "custom" (e.g. only init fixed). */
export function settingOf(sources: DeterministicSources): SettingName | "custom" {
  const same = (name: SettingName) =>
    NOISE_SOURCE_NAMES.every((source) => SETTINGS[name][source] === sources[source]);
  return SETTING_NAMES.find(same) ?? "custom";
}

/** True when a run under this setting draws at least one seed at random. */
export function drawsRandomSeeds(setting: SettingName): boolean {
  return SEEDED_SOURCES.some((source) => !SETTINGS[setting][source]);
}

/** The original's folder names call ALGO+IMPL "default". */
export function originalSettingName(setting: SettingName | "custom"): string {
  return SETTING_ROWS.find((row) => row.name === setting)?.original ?? setting;
}

/** A source's switch on the command line, e.g. --deterministic-init (commander: deterministicInit). */
export const switchFlag = (source: NoiseSource) => `--deterministic-${source}` as const;
/** A seeded source's seed on the command line, e.g. --seed-init (commander: seedInit). */
export const seedFlag = (source: SeededSource) => `--seed-${source}` as const;
export type SwitchFlagKey = `deterministic${Capitalize<NoiseSource>}`;
export type SeedFlagKey = `seed${Capitalize<SeededSource>}`;
/** The original scripts' switch flags, each fixing one source or several. */
export type OriginalSourceFlag = Row["originalFlags"][number];
export const ORIGINAL_SOURCE_FLAGS: readonly OriginalSourceFlag[] = [
  ...new Set(NOISE_SOURCES.flatMap((row) => row.originalFlags)),
];

const capitalized = <S extends string>(text: S) =>
  `${text[0]!.toUpperCase()}${text.slice(1)}` as Capitalize<S>;
/** The property commander gives a source's switch flag. */
export const switchFlagKey = (source: NoiseSource): SwitchFlagKey =>
  `deterministic${capitalized(source)}`;
/** The property commander gives a seeded source's seed flag. */
export const seedFlagKey = (source: SeededSource): SeedFlagKey => `seed${capitalized(source)}`;

/** A seeded source's seed entry: its generators and its flag's help. */
export function seedOf(source: SeededSource): NonNullable<NoiseSourceRow["seed"]> {
  return sourceRow(source).seed!;
}

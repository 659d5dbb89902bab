/**
 * What the runs of a group ran on, from run.json: the facts a reader needs to judge a spread
 * (device, threads, tooling, seeds, versions). A field no run records is reported as such,
 * never guessed.
 */
import { SEEDED_SOURCES } from "../../contract/noise-sources.js";

export interface RunContext {
  device: string | null;
  threads: string | null;
  cpu: string | null;
  /** The vector ISA libtorch's CPU kernels ran, and oneDNN's cap where one was set. */
  cpuKernels: string | null;
  /** The CPU's vector extensions that matter to the kernels. */
  vectorExtensions: string | null;
  memoryFormat: string | null;
  /** Floating-point precision of training (fp32, bf16, fp16 autocast), and TF32 where on. */
  precision: string | null;
  epochs: string | null;
  trainingExamples: string | null;
  /** Which sources were fixed, and their seeds, e.g. "init (seed 0), input (seed 0)". */
  fixedSeeds: string | null;
  libtorch: string | null;
}

export const CONTEXT_FIELDS: { key: keyof RunContext; title: string }[] = [
  { key: "device", title: "device" },
  { key: "threads", title: "threads" },
  { key: "cpu", title: "CPU" },
  { key: "cpuKernels", title: "CPU kernels (ISA)" },
  { key: "vectorExtensions", title: "vector extensions" },
  { key: "memoryFormat", title: "memory layout" },
  { key: "precision", title: "precision" },
  { key: "epochs", title: "epochs" },
  { key: "trainingExamples", title: "training examples" },
  { key: "fixedSeeds", title: "fixed seeds" },
  { key: "libtorch", title: "libtorch" },
];

type Json = Record<string, unknown> | undefined;

const object = (value: unknown): Json =>
  value !== null && typeof value === "object" ? (value as Record<string, unknown>) : undefined;

/** One run's context fields, as strings (undefined where the record has none). */
export function contextOfRecord(record: unknown): Partial<Record<keyof RunContext, string>> {
  const run = object(record);
  const config = object(run?.config);
  const engine = object(run?.engine);
  const deterministic = object(config?.deterministic);
  const fixed = object(config?.fixedSeeds);
  const text = (value: unknown) =>
    value === undefined || value === null ? undefined : String(value);
  let fixedSeeds: string | undefined;
  if (deterministic) {
    const sources = SEEDED_SOURCES.filter((source) => deterministic[source] === true).map(
      (source) => (fixed?.[source] === undefined ? source : `${source} (seed ${fixed[source]})`),
    );
    fixedSeeds = sources.length === 0 ? "none (fresh seeds per run)" : sources.join(", ");
  }
  const trainExamples = config?.trainExamples;
  const cpu = object(engine?.cpu);
  const extensions = Array.isArray(cpu?.vectorExtensions) ? cpu.vectorExtensions : undefined;
  const cpuKernels =
    cpu?.atenCapability === undefined
      ? undefined
      : `${cpu.atenCapability}${cpu.onednnMaxIsa ? ` (oneDNN ≤ ${cpu.onednnMaxIsa})` : ""}`;
  return {
    device: text(config?.device),
    threads: text(config?.threads ?? engine?.threads),
    cpu: text(engine?.cpuModel),
    cpuKernels,
    vectorExtensions: extensions?.join(" "),
    memoryFormat: text(config?.memoryFormat),
    precision:
      config?.precision === undefined
        ? text(config?.dtype)
        : `${config.precision}${config.tf32 === true ? " (TF32 on)" : ""}`,
    epochs: text(config?.epochs),
    trainingExamples:
      config && "trainExamples" in config
        ? trainExamples === null
          ? "all"
          : text(trainExamples)
        : undefined,
    fixedSeeds,
    libtorch: text(engine?.libtorch),
  };
}

/** The group's context: each field's distinct values over its runs, null where none records it. */
export function mergeContexts(
  contexts: readonly Partial<Record<keyof RunContext, string>>[],
): RunContext {
  const merged = {} as RunContext;
  for (const { key } of CONTEXT_FIELDS) {
    const values = [
      ...new Set(contexts.map((context) => context[key]).filter((v) => v !== undefined)),
    ];
    merged[key] = values.length === 0 ? null : values.join(" / ");
  }
  return merged;
}

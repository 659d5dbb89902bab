/**
 * overhead.csv: the analysis's columns first (src/analysis/runs/overhead.ts reads them), then the
 * settings a reader needs to repeat the measurement. Times are milliseconds per training step.
 */
import { OVERHEAD_COLUMNS_READ } from "../../analysis/index.js";
import { formatCsv } from "../../io/csv.js";
import type { OverheadMeasurement, OverheadSettings } from "./measure.js";

export const OVERHEAD_COLUMNS = [
  ...OVERHEAD_COLUMNS_READ,
  "default_spread_ms",
  "deterministic_spread_ms",
  "repeats",
  "warmup",
  "image_size",
  "memory_format",
  "optimizer",
  "cudnn_benchmark",
  "timer",
  "hardware",
  "libtorch",
] as const;

export interface MachineDescription {
  /** The GPU's name on CUDA, the CPU model otherwise. */
  hardware: string;
  libtorch: string;
}

const fixed = (value: number, digits: number) => Number(value.toFixed(digits));

export function overheadRecord(
  measurement: OverheadMeasurement,
  settings: OverheadSettings,
  machine: MachineDescription,
): Record<(typeof OVERHEAD_COLUMNS)[number], string | number | boolean> {
  return {
    model: measurement.model,
    device: settings.device,
    threads: settings.threads,
    batch_size: settings.batchSize,
    iterations: settings.iterations,
    default_ms: fixed(measurement.defaultMs.median, 3),
    deterministic_ms: fixed(measurement.deterministicMs.median, 3),
    overhead: fixed(measurement.overhead, 4),
    default_spread_ms: fixed(measurement.defaultMs.spread, 3),
    deterministic_spread_ms: fixed(measurement.deterministicMs.spread, 3),
    repeats: settings.repeats,
    warmup: settings.warmup,
    image_size: settings.imageSize,
    memory_format: settings.memoryFormat,
    optimizer: "adam",
    cudnn_benchmark: settings.cudnnBenchmark,
    timer: measurement.timer,
    hardware: machine.hardware,
    libtorch: machine.libtorch,
  };
}

export function overheadCsv(
  measurements: readonly OverheadMeasurement[],
  settings: OverheadSettings,
  machine: MachineDescription,
): string {
  return formatCsv(
    OVERHEAD_COLUMNS,
    measurements.map((m) => overheadRecord(m, settings, machine)),
  );
}

/**
 * The overhead study end to end: measure each model, write overhead.csv atomically (after
 * each model, so an interrupted run keeps what it measured), then chart it with the report's
 * overhead chart, read back through the analysis's own reader.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import {
  ANALYSIS_FORMAT,
  type AnalysisResult,
  type Problem,
  readOverhead,
} from "../../analysis/index.js";
import { engineInfo } from "../../engine/index.js";
import { writeFileAtomicSync } from "../../io/atomic.js";
import { buildCharts } from "../../report/charts.js";
import { specToSvg, svgToPng } from "../../report/render.js";
import { type MachineDescription, overheadCsv } from "./csv.js";
import { measureModel, type OverheadMeasurement, type OverheadSettings } from "./measure.js";
import type { StudyModel } from "./models.js";

export interface OverheadRun {
  measurements: OverheadMeasurement[];
  failures: { model: string; message: string }[];
  csv: string;
  /** SVG and PNG of the chart; absent when nothing was measured. */
  chart: { svg: string; png: string } | null;
}

export interface OverheadCallbacks {
  onStart?(model: StudyModel): void;
  /** After the first warm-up: ms per step, and the steps still to run for this model. */
  onEstimate?(model: StudyModel, msPerStep: number, stepsLeft: number): void;
  onMeasured?(measurement: OverheadMeasurement): void;
  onFailed?(model: StudyModel, message: string): void;
}

export function describeMachine(device: string): MachineDescription {
  const info = engineInfo();
  const hardware = device.startsWith("cuda") ? (info.gpuNames[0] ?? "cuda") : info.cpuModel;
  return { hardware, libtorch: info.libtorch };
}

/**
 * Measures every model in turn. A model that fails (too small an input for its pooling, an op
 * without a deterministic kernel on this device) is reported and skipped; the rest go on.
 */
export async function runOverhead(
  models: readonly StudyModel[],
  settings: OverheadSettings,
  outDir: string,
  callbacks: OverheadCallbacks = {},
): Promise<OverheadRun> {
  mkdirSync(outDir, { recursive: true });
  const machine = describeMachine(settings.device);
  const csv = join(outDir, "overhead.csv");
  const measurements: OverheadMeasurement[] = [];
  const failures: OverheadRun["failures"] = [];
  for (const model of models) {
    callbacks.onStart?.(model);
    try {
      const measurement = measureModel(model, settings, (msPerStep, stepsLeft) =>
        callbacks.onEstimate?.(model, msPerStep, stepsLeft),
      );
      measurements.push(measurement);
      writeFileAtomicSync(csv, overheadCsv(measurements, settings, machine));
      callbacks.onMeasured?.(measurement);
    } catch (error) {
      const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
      failures.push({ model: model.label, message });
      callbacks.onFailed?.(model, message);
    }
  }
  if (measurements.length === 0) return { measurements, failures, csv, chart: null };
  return { measurements, failures, csv, chart: await writeChart(outDir) };
}

async function writeChart(outDir: string): Promise<{ svg: string; png: string } | null> {
  const problems: Problem[] = [];
  const overhead = readOverhead(outDir, problems);
  if (problems.length > 0) throw new Error(`overhead.csv: ${problems[0]!.message}`);
  const result: AnalysisResult = {
    format: ANALYSIS_FORMAT,
    dir: outDir,
    settings: { epoch: null, seed: 0, resamples: 0, level: 0, subgroupAttributes: [] },
    groups: [],
    comparisons: [],
    problems: [],
    overhead,
  };
  const chart = buildCharts(result).find((c) => c.name === "determinism-overhead");
  if (chart === undefined) return null;
  const svgText = await specToSvg(chart.spec);
  const svg = join(outDir, "overhead.svg");
  const png = join(outDir, "overhead.png");
  writeFileAtomicSync(svg, svgText);
  writeFileAtomicSync(png, svgToPng(svgText));
  return { svg, png };
}

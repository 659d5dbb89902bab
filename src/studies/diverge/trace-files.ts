/** Reading a run's divergence trace (written by `nnr train --trace`). */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { UserError } from "../../errors.js";
import { readSafetensors } from "../../io/safetensors.js";
import { SNAPSHOT_DIR, TRACE_FILE, type TraceStep } from "../../train/trace.js";

export function readTrace(runDir: string): TraceStep[] {
  const path = join(runDir, TRACE_FILE);
  if (!existsSync(path)) {
    throw new UserError(`${runDir}: no ${TRACE_FILE}; train the run with --trace to record one`);
  }
  const lines = readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line.length > 0);
  return lines.map((line, i) => {
    try {
      return JSON.parse(line) as TraceStep;
    } catch {
      throw new UserError(`${path}: line ${i + 1} is not valid JSON; the trace is damaged`);
    }
  });
}

/** Steps with a parameter snapshot in this run. */
export function snapshotSteps(runDir: string): number[] {
  const dir = join(runDir, SNAPSHOT_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .map((name) => name.match(/^step(\d+)\.safetensors$/)?.[1])
    .filter((step): step is string => step !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

/** Parameter name → float values of one snapshot. */
export function readSnapshot(runDir: string, step: number): Map<string, Float32Array> {
  const file = readSafetensors(join(runDir, SNAPSHOT_DIR, `step${step}.safetensors`));
  const out = new Map<string, Float32Array>();
  for (const [name, tensor] of file.tensors) out.set(name, tensor.data as Float32Array);
  return out;
}

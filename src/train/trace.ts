/**
 * The divergence trace (`--trace`): after every optimizer step, a short hash of every
 * gradient and every parameter, appended to trace.jsonl; and the parameters themselves at
 * steps 1, 2, 4, 8, … (trace/step{N}.safetensors), so `nnr diverge` can find the first step
 * and layer where two runs part, and measure how far apart they drift afterwards.
 */
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, statSync, truncateSync } from "node:fs";
import { join } from "node:path";
import { type Tensor, tidy } from "../engine/index.js";
import { writeSafetensors } from "../io/safetensors.js";
import { toSafetensorsEntry } from "../nn/checkpoint.js";
import type { Module } from "../nn/module.js";

export const TRACE_FILE = "trace.jsonl";
export const SNAPSHOT_DIR = "trace";

/** One line of trace.jsonl. */
export interface TraceStep {
  /** 1-based optimizer step. */
  step: number;
  epoch: number;
  batch: number;
  /** Parameter name → hash, in the model's parameter order. */
  grads: Record<string, string>;
  params: Record<string, string>;
}

function shortHash(t: Tensor): string {
  const data = t.dataSync();
  return createHash("sha1")
    .update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength))
    .digest("hex")
    .slice(0, 16);
}

const isSnapshotStep = (step: number) => (step & (step - 1)) === 0;

export class TraceRecorder {
  private readonly path: string;
  private pending: string[] = [];

  constructor(
    private readonly dir: string,
    private readonly model: Module,
    /** Bytes of trace.jsonl that belong to the resumed state; anything after is dropped. */
    resumeBytes: number | null,
  ) {
    this.path = join(dir, TRACE_FILE);
    if (resumeBytes === null) {
      if (existsSync(this.path)) truncateSync(this.path, 0);
    } else if (existsSync(this.path) && statSync(this.path).size > resumeBytes) {
      truncateSync(this.path, resumeBytes);
    }
  }

  /** Call after optimizer.step() and before zeroGrad(): gradients are this step's. */
  record(step: number, epoch: number, batch: number): void {
    const line: TraceStep = { step, epoch, batch, grads: {}, params: {} };
    tidy(() => {
      for (const [name, parameter] of this.model.namedParameters()) {
        const grad = parameter.grad;
        line.grads[name] = grad === null ? "none" : shortHash(grad.contiguous());
        line.params[name] = shortHash(parameter.detach().contiguous());
      }
    });
    this.pending.push(JSON.stringify(line));
    if (isSnapshotStep(step)) this.snapshot(step);
  }

  /** Appends the buffered lines; returns the file's size, to store with a resume checkpoint. */
  flush(): number {
    if (this.pending.length > 0) appendFileSync(this.path, `${this.pending.join("\n")}\n`);
    this.pending = [];
    return existsSync(this.path) ? statSync(this.path).size : 0;
  }

  private snapshot(step: number): void {
    const dir = join(this.dir, SNAPSHOT_DIR);
    mkdirSync(dir, { recursive: true });
    tidy(() => {
      const entries = new Map(
        [...this.model.namedParameters()].map(([name, p]) => [
          name,
          toSafetensorsEntry(p.detach()),
        ]),
      );
      writeSafetensors(join(dir, `step${step}.safetensors`), entries, { step: String(step) });
    });
  }
}

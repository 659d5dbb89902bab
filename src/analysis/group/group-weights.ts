import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { readKerasWeights } from "../../io/keras-h5.js";
import { readSafetensors } from "../../io/safetensors.js";
import {
  bitIdentity,
  type FlatWeights,
  flattenNamedWeights,
  flattenWeights,
  l2Matrix,
} from "../metrics/weights.js";
import type { GroupResult } from "../results/result-types.js";
import type { LoadedRun } from "../runs/load-group.js";
import type { Estimate } from "../statistics/estimate.js";
import { pairMeanInterval } from "../statistics/intervals.js";

/** A checkpoint's trained weights: nnr's safetensors, or the original's Keras .h5. */
export function readCheckpointWeights(path: string): FlatWeights {
  return path.endsWith(".h5")
    ? flattenNamedWeights(readKerasWeights(path))
    : flattenWeights(readSafetensors(path));
}

/** Mean pairwise L2 of the checkpoints at the group's epoch (jackknife interval), when every run has one. */
export function groupL2(
  runs: readonly LoadedRun[],
  epoch: number,
  level: number,
  notes: string[],
): Estimate | null {
  const withCheckpoint = runs.filter((run) => run.checkpointFile !== undefined);
  if (withCheckpoint.length === 0) return null;
  if (withCheckpoint.length < runs.length) {
    notes.push(
      `L2 skipped: ${runs.length - withCheckpoint.length} of ${runs.length} runs have no checkpoint for epoch ${epoch}`,
    );
    return null;
  }
  const flat = [];
  for (const run of runs) {
    try {
      flat.push(readCheckpointWeights(run.checkpointFile!));
    } catch (error) {
      notes.push(`L2 skipped: ${(error as Error).message}`);
      return null;
    }
  }
  if (new Set(flat.map((weights) => weights.layout)).size > 1) {
    notes.push("L2 skipped: the runs' checkpoints hold different tensors (different models?)");
    return null;
  }
  return pairMeanInterval(l2Matrix(flat.map((weights) => weights.values)), level);
}

/**
 * Each run's weights hash at the group's epoch. run.json's hash covers the final weights; for
 * an earlier epoch, or runs without that hash, the checkpoint files are hashed.
 */
export function runWeightHashes(runs: readonly LoadedRun[]): {
  hashes: (string | undefined)[];
  source: GroupResult["identity"]["source"];
} {
  if (runs.every((run) => run.weightsSha256 !== undefined)) {
    return { hashes: runs.map((run) => run.weightsSha256), source: "run.json" };
  }
  if (runs.every((run) => run.checkpointFile !== undefined)) {
    // An HDF5 file's bytes hold creation times and optimizer state: its weights are hashed.
    // An unreadable one has no hash (groupL2 reports why).
    const hashes = runs.map((run) => {
      const file = run.checkpointFile!;
      if (!file.endsWith(".h5"))
        return createHash("sha256").update(readFileSync(file)).digest("hex");
      try {
        const { layout, values } = readCheckpointWeights(file);
        return createHash("sha256")
          .update(layout)
          .update(new Uint8Array(values.buffer))
          .digest("hex");
      } catch {
        return undefined;
      }
    });
    return { hashes, source: "checkpoint file" };
  }
  return { hashes: runs.map((run) => run.weightsSha256), source: "none" };
}

/** Whether all runs ended with the same weights. */
export function groupIdentity(hashes: ReturnType<typeof runWeightHashes>): GroupResult["identity"] {
  return { ...bitIdentity(hashes.hashes), source: hashes.source };
}

/**
 * Synchronised BatchNorm, as torch.nn.SyncBatchNorm.convert_sync_batchnorm does it: every
 * BatchNorm layer of a model normalises, in training, with the statistics of the global batch
 * instead of its rank's slice (the computation is native/src/sync-batchnorm.cc). Evaluation
 * uses the running statistics, the same on every rank, as before.
 */
import { BatchNorm2d } from "../nn/layers/batchnorm.js";
import type { Module } from "../nn/module.js";
import type { ProcessGroup } from "./process-group.js";

/** How a data-parallel run computes BatchNorm's training statistics (run.json records it). */
export type BatchNormMode = "per-rank" | "synchronized";

/** The model's BatchNorm layers. */
export function batchNormLayers(model: Module): BatchNorm2d[] {
  return [...model.namedModules()]
    .map(([, module]) => module)
    .filter((module): module is BatchNorm2d => module instanceof BatchNorm2d);
}

/** Makes every BatchNorm layer of the model synchronised over the group; returns how many. */
export function synchronizeBatchNorm(model: Module, group: ProcessGroup): number {
  const layers = batchNormLayers(model);
  for (const layer of layers) layer.sync = group;
  return layers.length;
}

/** The case of the synchronised-BatchNorm comparison (sync-bn-worker.ts). */
export const SYNC_BN_CASE = {
  steps: 3,
  globalBatch: 8,
  imageSize: 6,
  classes: 3,
  channels: 4,
  lr: 0.1,
  momentum: 0.9,
  initSeed: 5,
  dataSeed: 13,
};

/** The case both sides of the DDP comparison train (ddp-worker.ts, ddp_reference.py). */
export const DDP_CASE = {
  steps: 5,
  globalBatch: 8,
  imageSize: 8,
  classes: 3,
  channels: 4,
  lr: 0.1,
  momentum: 0.9,
  dataSeed: 11,
};

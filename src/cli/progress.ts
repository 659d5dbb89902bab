/** Progress for one run: a bar on a terminal, plain lines (one per epoch) otherwise. */
import cliProgress from "cli-progress";
import type { EpochProgress } from "../train/epoch.js";

export interface RunProgress {
  update(progress: EpochProgress): void;
  log(line: string): void;
  stop(): void;
}

export function runProgress(label: string): RunProgress {
  if (!process.stderr.isTTY) {
    return { update: () => {}, log: (line) => console.error(`${label}: ${line}`), stop: () => {} };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] epoch {epoch}/{epochs} batch {value}/{total} | {eta_formatted} left in epoch`,
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(progress) {
      if (!started) {
        bar.start(progress.batchesPerEpoch, 0, {
          epoch: progress.epoch + 1,
          epochs: progress.epochs,
        });
        started = true;
      }
      bar.setTotal(progress.batchesPerEpoch);
      bar.update(progress.batch, { epoch: progress.epoch + 1, epochs: progress.epochs });
    },
    log(line) {
      if (started) bar.stop();
      started = false;
      console.error(`${label}: ${line}`);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/**
 * What `nnr experiment run` shows while it works: on a terminal, an overall bar and one bar
 * per worker; otherwise (a log file, CI) one line per event.
 */
import cliProgress from "cli-progress";
import pc from "picocolors";
import type { RunnerEvent } from "./runner.js";
import { runFraction } from "./status.js";

export interface RunnerDisplay {
  onEvent(event: RunnerEvent): void;
  stop(): void;
}

interface DisplayOptions {
  total: number;
  /** Counts the plan's complete runs, by this runner or any other. */
  countComplete: () => number;
  workers: number;
  tty: boolean;
}

function seconds(value: number): string {
  return `${value.toFixed(1)} s`;
}

/** "k/N done · about T left", from the rate at which this runner's runs have completed. */
export function completionTally(total: number, doneAtStart: number, now = () => performance.now()) {
  const startedAt = now();
  return {
    record(done: number): string {
      const finishedHere = done - doneAtStart;
      const elapsed = (now() - startedAt) / 1000;
      const left = total - done;
      // Nothing left, or nothing finished here yet to take a rate from.
      if (left <= 0 || finishedHere <= 0 || elapsed <= 0) return `${done}/${total} done`;
      return `${done}/${total} done · about ${duration((left * elapsed) / finishedHere)} left`;
    },
  };
}

function duration(totalSeconds: number): string {
  const rounded = Math.max(1, Math.round(totalSeconds));
  const minutes = Math.floor(rounded / 60);
  return minutes === 0
    ? `${rounded} s`
    : `${minutes} min ${String(rounded % 60).padStart(2, "0")} s`;
}

function eventLine(event: RunnerEvent): string | null {
  switch (event.type) {
    case "started":
      return `${event.resumed ? "resuming" : "started"} ${event.id} (worker ${event.slot + 1}${event.attempt > 1 ? `, attempt ${event.attempt}` : ""})`;
    case "completed":
      return `${pc.green("done")} ${event.id} in ${seconds(event.seconds)}`;
    case "failed":
      return `${pc.red("failed")} ${event.id}: ${event.message}`;
    case "worker-died":
      return `${pc.yellow("worker died")} ${event.id}: ${event.reason}${event.retrying ? "; resuming it" : ""}`;
    case "lost":
      return `${pc.yellow("taken over")} ${event.id}: another runner resumed it; stopped here`;
    case "waiting":
      return event.heldElsewhere === 1
        ? "waiting: 1 run held by another runner"
        : `waiting: ${event.heldElsewhere} runs held by other runners`;
    case "stopping":
      return "stopping: ending the workers; their runs will resume from the last complete epoch";
    case "log":
      return pc.dim(`${event.id}: ${event.line}`);
    case "progress":
      return null;
  }
}

export function createRunnerDisplay(options: DisplayOptions): RunnerDisplay {
  return options.tty ? terminalDisplay(options) : lineDisplay(options);
}

/** A log file or CI: one line per event. */
function lineDisplay(options: DisplayOptions): RunnerDisplay {
  let lastWaiting = "";
  const tally = completionTally(options.total, options.countComplete());
  return {
    onEvent: (event) => {
      let line = eventLine(event);
      if (event.type === "completed" && line !== null) {
        line = `${line} · ${tally.record(options.countComplete())}`;
      }
      // Waiting is reported each poll; print it only when the count changes.
      if (event.type === "waiting") {
        if (line === lastWaiting) return;
        lastWaiting = line ?? "";
      }
      if (line !== null) console.log(line);
    },
    stop: () => {},
  };
}

/** A terminal: an overall bar and one bar per worker, the events' lines above them. */
function terminalDisplay(options: DisplayOptions): RunnerDisplay {
  const multibar = new cliProgress.MultiBar(
    {
      format: "{label} [{bar}] {percentage}% {detail}",
      barCompleteChar: "█",
      barIncompleteChar: "░",
      barsize: 30,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  const scale = 1000; // fractions of runs, for a smooth overall bar
  const overall = multibar.create(
    options.total * scale,
    0,
    { done: 0, failed: "" },
    {
      format: `overall   [{bar}] {percentage}% | {done}/${options.total} done{failed} | elapsed {duration_formatted} | eta {eta_formatted}`,
    },
  );
  const workerBars = Array.from({ length: options.workers }, (_, slot) =>
    multibar.create(1000, 0, { label: `worker ${String(slot + 1).padEnd(2)}`, detail: "idle" }),
  );
  const running = new Map<number, number>();
  let failed = 0;
  // Counting complete runs reads every run's files: do it at most once a second.
  let done = options.countComplete();
  let countedAt = performance.now();
  const refreshOverall = (recount: boolean) => {
    if (recount || performance.now() - countedAt > 1000) {
      done = options.countComplete();
      countedAt = performance.now();
    }
    const partial = [...running.values()].reduce((sum, value) => sum + value, 0);
    overall.update(Math.round((done + partial) * scale), {
      done,
      failed: failed > 0 ? `, ${failed} failed` : "",
    });
  };
  return {
    onEvent: (event) => {
      if (event.type === "progress") {
        const fraction = runFraction(event.progress);
        running.set(event.slot, fraction);
        const { epoch, epochs } = event.progress;
        workerBars[event.slot]?.update(Math.round(fraction * 1000), {
          detail: `${event.id} epoch ${epoch + 1}/${epochs}`,
        });
      } else if (event.type === "started") {
        running.set(event.slot, 0);
        workerBars[event.slot]?.update(0, { detail: `${event.id} starting` });
      } else if (event.type === "completed" || event.type === "failed" || event.type === "lost") {
        running.delete(event.slot);
        if (event.type === "failed") failed++;
        workerBars[event.slot]?.update(0, { detail: "idle" });
      }
      const line = event.type === "progress" || event.type === "started" ? null : eventLine(event);
      if (line !== null && event.type !== "completed") multibar.log(`${line}\n`);
      refreshOverall(event.type === "completed");
    },
    stop: () => multibar.stop(),
  };
}

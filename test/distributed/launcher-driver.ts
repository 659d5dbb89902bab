/**
 * A launcher for launcher-signal.test.ts, in a process of its own (the test signals it):
 *   launcher-driver.ts stub DIR        2 local ranks of launcher-stub-rank.ts, as a worker's
 *   launcher-driver.ts spread PLAN OUT the plan's first run through trainRunSpread, as a worker
 * Lines from the ranks and the run's log go to stderr.
 */
import { fileURLToPath } from "node:url";
import { launchLocalRanks } from "../../src/distributed/launcher.js";
import { planFromSource } from "../../src/experiment/plan-source.js";
import { trainRunSpread } from "../../src/train/spread-run.js";

const [mode, first, second] = process.argv.slice(2);
const log = (line: string) => console.error(line);
if (mode === "stub") {
  const stub = fileURLToPath(new URL("./launcher-stub-rank.ts", import.meta.url));
  await launchLocalRanks({
    nproc: 2,
    command: process.execPath,
    args: ["--import", "tsx", stub, first!],
    output: { stdout: log, stderr: log },
    forward: ["SIGTERM"],
    reraise: true,
    isolate: true,
    log,
  });
} else {
  const plan = planFromSource({ kind: "file", path: first! }, {});
  const entry = plan.runs[0]!;
  await trainRunSpread({ config: entry.config, outDir: second!, replicate: entry.replicate, log });
}
